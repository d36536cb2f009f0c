using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.MultiInstance;

public sealed class StartUpTests
{
    [PostgreSqlFact]
    public async Task Three_instances_started_at_once_on_an_empty_database_all_start_with_one_catalog_and_one_migration_history()
    {
        using var cluster = Cluster.Create(3);

        var clients = await cluster.StartAllAsync();

        foreach (var client in clients)
        {
            using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Contains("Field notebook", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            client.Dispose();
        }

        await using var db = cluster.Database.Open();
        Assert.Equal(["brass-pen", "canvas-tote", "desk-lamp", "field-notebook"], await db.Products.OrderBy(p => p.Slug).Select(p => p.Slug).ToListAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }
}
