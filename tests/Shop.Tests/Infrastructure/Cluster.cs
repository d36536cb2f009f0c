using Microsoft.Extensions.DependencyInjection;

namespace Shop.Tests.Infrastructure;

/// <summary>Several shop instances on one PostgreSQL database, as several servers behind a load balancer would be.</summary>
public sealed class Cluster : IDisposable
{
    private readonly List<ShopApp> _instances = [];
    private readonly StripeStub? _stripe;
    private readonly IDictionary<string, string?>? _settings;

    private Cluster(TestDatabase database, StripeStub? stripe, IDictionary<string, string?>? settings)
    {
        Database = database;
        _stripe = stripe;
        _settings = settings;
    }

    public TestDatabase Database { get; }

    public IReadOnlyList<ShopApp> Instances => _instances;

    /// <summary>Instances on a new, empty database; none has started yet (a ShopApp starts at its first client).</summary>
    /// <param name="settings">Settings every instance gets, on top of <see cref="ShopApp"/>'s own.</param>
    public static Cluster Create(int count, StripeStub? stripe = null, IDictionary<string, string?>? settings = null)
    {
        var cluster = new Cluster(TestDatabase.Create(), stripe, settings);
        for (var i = 0; i < count; i++)
        {
            cluster.AddInstance();
        }

        return cluster;
    }

    /// <summary>One more instance on the cluster's database, with the cluster's settings; it starts at its first client.</summary>
    public ShopApp AddInstance(Action<IServiceCollection>? testServices = null)
    {
        var instance = new ShopApp(_stripe, _settings, Database, testServices);
        _instances.Add(instance);
        return instance;
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
        _instances.ForEach(instance => instance.Dispose());
        Database.Dispose();
    }
}
