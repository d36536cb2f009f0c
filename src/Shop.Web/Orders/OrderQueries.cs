using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Orders;

public sealed class OrderQueries(ShopDbContext db)
{
    public Task<Order?> FindByPublicIdAsync(string publicId, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);

    /// <summary>The order without its lines (left empty), for pages that show only its total: one table, no join.</summary>
    public Task<Order?> FindWithoutLinesAsync(string publicId, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().IgnoreAutoIncludes().FirstOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);

    /// <summary>The order's history, oldest first: what arrived, when, and what it did.</summary>
    public Task<List<OrderTimelineEntry>> TimelineAsync(long orderId, CancellationToken cancellationToken) =>
        db.OrderTimeline.AsNoTracking()
            .Where(e => e.OrderId == orderId)
            .OrderBy(e => e.At).ThenBy(e => e.OccurredAt)
            .ToListAsync(cancellationToken);
}
