using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Payments.Webhooks;

namespace Shop.Web.Orders;

public sealed class OrderQueries(ShopDbContext db)
{
    public Task<Order?> FindByPublicIdAsync(string publicId, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);

    /// <summary>Every Stripe event recorded for the order, oldest first: what arrived, when, and what it did.</summary>
    public Task<List<StripeEventRecord>> TimelineAsync(long orderId, CancellationToken cancellationToken) =>
        db.StripeEvents.AsNoTracking()
            .Where(e => e.OrderId == orderId)
            .OrderBy(e => e.ReceivedAt).ThenBy(e => e.CreatedAt)
            .ToListAsync(cancellationToken);
}
