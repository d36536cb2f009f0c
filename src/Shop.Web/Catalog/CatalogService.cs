using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Catalog;

public sealed class CatalogService(ShopDbContext db)
{
    public Task<List<Product>> ListAsync(CancellationToken cancellationToken) =>
        db.Products.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);

    public Task<Product?> FindBySlugAsync(string slug, CancellationToken cancellationToken) =>
        db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Slug == slug, cancellationToken);
}
