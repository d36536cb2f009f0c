using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;

namespace Shop.Tests.Data;

/// <summary>
/// A lookup by a list of ids (the event writer's reads, once per batch) is one SQL text with one parameter whatever the
/// list's length. EF Core 10's default, a parameter per element, made a new text per batch size and generated the SQL
/// again on every execution: a fifth of the writer's CPU (docs/benchmarks.md, step 15).
/// </summary>
public sealed class ListLookupTests : IDisposable
{
    // The shop's own workers query the same table meanwhile; the tag tells this test's commands apart.
    private const string Tag = "list lookup test";

    private readonly CommandLog _commands = new();
    private readonly ShopApp _app;

    public ListLookupTests()
    {
        _app = new ShopApp(testServices: _commands.AddTo);
        _app.CreateClient().Dispose();
    }

    [Fact]
    public async Task A_lookup_by_one_id_or_by_three_is_the_same_sql_with_one_parameter()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();

        foreach (var ids in new List<string>[] { ["evt_one"], ["evt_one", "evt_two", "evt_three"] })
        {
            await db.StripeEvents.TagWith(Tag).Where(e => ids.Contains(e.EventId)).Select(e => e.EventId).ToListAsync();
        }

        var lookups = _commands.Seen.Where(c => c.Sql.Contains(Tag, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lookups.Count);
        Assert.Equal(lookups[0].Sql, lookups[1].Sql);
        Assert.All(lookups, lookup => Assert.Equal(1, lookup.Parameters));
    }

    public void Dispose() => _app.Dispose();

    private sealed class CommandLog : CommandObserver
    {
        public ConcurrentQueue<(string Sql, int Parameters)> Seen { get; } = new();

        public void AddTo(IServiceCollection services) => AddInterceptorTo(services);

        protected override void Observe(DbCommand command) => Seen.Enqueue((command.CommandText, command.Parameters.Count));
    }
}
