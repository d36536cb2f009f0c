using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Web.Admin;

/// <summary>Everything the shop knows about one order, for the admin's order page.</summary>
public sealed record AdminOrderView(
    Order Order,
    IReadOnlyList<PaymentIntentFact> PaymentIntents,
    IReadOnlyList<ChargeFact> Charges,
    IReadOnlyList<DisputeFact> Disputes,
    IReadOnlyList<OrderTimelineEntry> Timeline,
    IReadOnlyList<OutboxMessage> Emails,
    IReadOnlyList<RefundRequest> UnansweredRefunds)
{
    /// <summary>What Stripe has confirmed as received and not yet refunded.</summary>
    public long RefundableMinorUnits => Math.Max(0, Order.PaidMinorUnits - Order.RefundedMinorUnits);
}

public sealed class AdminOrderDetails(ShopDbContext db, OrderQueries orders)
{
    public async Task<AdminOrderView?> FindAsync(string publicId, CancellationToken cancellationToken)
    {
        var order = await orders.FindByPublicIdAsync(publicId, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var paymentIntentId = order.PaymentIntentId;
        var paymentIntents = await db.PaymentIntentFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken);
        var charges = await db.ChargeFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken);
        var disputes = await db.DisputeFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken);
        var timeline = await orders.TimelineAsync(order.Id, cancellationToken);
        var emails = await db.Outbox.AsNoTracking().Where(m => m.OrderId == order.Id).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
        // Requests whose answer is unknown (in flight, or lost): each can be sent again to learn it.
        var unansweredRefunds = await db.RefundRequests.AsNoTracking()
            .Where(r => r.OrderId == order.Id && r.AnsweredAt == null)
            .OrderBy(r => r.RequestedAt)
            .ToListAsync(cancellationToken);
        return new AdminOrderView(order, paymentIntents, charges, disputes, timeline, emails, unansweredRefunds);
    }
}
