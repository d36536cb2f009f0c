using Microsoft.Extensions.Options;
using Shop.Web.Data;

namespace Shop.Web.Catalog;

/// <summary>The demo catalog, written by the database's initializer in the shop's currency (<see cref="CatalogSeed"/>).</summary>
public sealed class DemoCatalogSeeder(IOptions<ShopOptions> shop) : IDatabaseSeeder
{
    public Task SeedAsync(ShopDbContext db, CancellationToken cancellationToken) => CatalogSeed.SeedAsync(db, shop.Value.Currency, cancellationToken);
}
