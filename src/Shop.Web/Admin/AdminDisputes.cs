using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Payments.Events;

namespace Shop.Web.Admin;

public sealed record OpenDispute(DisputeFact Dispute, string? OrderPublicId, string? CustomerEmail);

public sealed class AdminDisputes(ShopDbContext db)
{
    /// <summary>Open disputes and inquiries (all that await the shop's answer), the nearest deadline first (those without one last).</summary>
    public async Task<IReadOnlyList<OpenDispute>> OpenAsync(CancellationToken cancellationToken)
    {
        // Disputes are few; which statuses await an answer is DisputeFact's to say, so it is asked in memory.
        var disputes = (await db.DisputeFacts.AsNoTracking().ToListAsync(cancellationToken)).Where(d => d.AwaitsResponse).ToList();
        var paymentIntents = disputes.Select(d => d.PaymentIntentId).Distinct().ToList();
        var orders = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.PaymentIntentId != null && paymentIntents.Contains(o.PaymentIntentId))
            .Select(o => new { o.PaymentIntentId, o.PublicId, o.CustomerEmail })
            .ToDictionaryAsync(o => o.PaymentIntentId!, cancellationToken);
        return disputes
            .OrderBy(d => d.EvidenceDueBy is null).ThenBy(d => d.EvidenceDueBy)
            .Select(d => orders.TryGetValue(d.PaymentIntentId, out var o)
                ? new OpenDispute(d, o.PublicId, o.CustomerEmail)
                : new OpenDispute(d, null, null))
            .ToList();
    }
}
