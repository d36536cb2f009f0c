using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.Catalog;

namespace Shop.Web.Data;

/// <summary>Applies pending migrations and seeds the demo catalog when the host starts.</summary>
public sealed class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<ShopOptions> shop) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers carry on while the one writer commits. It is stored in the file, so once per start is enough,
            // also for a file that was created by someone else.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await CatalogSeed.SeedAsync(db, shop.Value.Currency, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
