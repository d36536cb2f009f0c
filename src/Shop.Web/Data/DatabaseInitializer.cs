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
        await CatalogSeed.SeedAsync(db, shop.Value.Currency, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
