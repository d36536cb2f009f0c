using Shop.Tests.Infrastructure;

namespace Shop.Tests.MultiInstance;

/// <summary>Several shop instances on one PostgreSQL database, as several servers behind a load balancer would be.</summary>
public sealed class Cluster : IDisposable
{
    private Cluster(TestDatabase database, List<ShopApp> instances)
    {
        Database = database;
        Instances = instances;
    }

    public TestDatabase Database { get; }

    public IReadOnlyList<ShopApp> Instances { get; }

    /// <summary>Instances on a new, empty database; none has started yet (a ShopApp starts at its first client).</summary>
    public static Cluster Create(int count, StripeStub? stripe = null)
    {
        var database = TestDatabase.Create();
        return new Cluster(database, Enumerable.Range(0, count).Select(_ => new ShopApp(stripe, database: database)).ToList());
    }

    /// <summary>Starts every instance at the same moment and returns a client of each.</summary>
    public async Task<HttpClient[]> StartAllAsync()
    {
        using var go = new ManualResetEventSlim();
        var starts = Instances.Select(instance => Task.Run(() =>
        {
            go.Wait();
            return instance.CreateClient();
        })).ToList();
        go.Set();
        return await Task.WhenAll(starts);
    }

    public void Dispose()
    {
        Instances.ToList().ForEach(instance => instance.Dispose());
        Database.Dispose();
    }
}
