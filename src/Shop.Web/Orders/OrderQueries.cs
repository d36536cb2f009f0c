using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Orders;

public sealed class OrderQueries(ShopDbContext db)
{
    public Task<Order?> FindByPublicIdAsync(string publicId, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
}
