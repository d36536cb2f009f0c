using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Data;

/// <summary>The start-up migration runs only when a migration is pending; these are the two histories it must tell apart.</summary>
public sealed class DatabaseInitializerTests
{
    [Fact]
    public async Task A_database_one_migration_behind_is_migrated_before_the_shop_serves()
    {
        using var database = TestDatabase.Create();
        await using (var db = database.Open())
        {
            var migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
        }

        using var app = new ShopApp(database: database);
        using var response = await app.CreateClient().GetAsync(new Uri("/", UriKind.Relative));

        await using var check = database.Open();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task A_shop_restarted_on_its_migrated_database_serves_the_same_catalog()
    {
        using var database = TestDatabase.Create();
        using (var first = new ShopApp(database: database))
        {
            using var started = await first.CreateClient().GetAsync(new Uri("/", UriKind.Relative));
        }

        using var second = new ShopApp(database: database);
        using var response = await second.CreateClient().GetAsync(new Uri("/", UriKind.Relative));

        await using var check = database.Open();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
        Assert.Equal(4, await check.Products.CountAsync());
    }
}
