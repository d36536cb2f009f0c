using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>What a batch's events need read before they are applied, each kept with the batch as it goes.</summary>
/// <param name="Recorded">Event ids already recorded; each event of the batch is added as it is applied.</param>
/// <param name="Orders">The batch's orders by PaymentIntent id.</param>
/// <param name="Facts">The facts known for each of those orders, tracked so merges update their rows.</param>
public sealed record EventBatchState(HashSet<string> Recorded, Dictionary<string, Order> Orders, Dictionary<string, PaymentFactSet> Facts);

/// <summary>
/// The committer's reads: a fixed number of set-based queries per batch whatever its size, compiled once per instance.
/// Not static: a compiled query serves one model, and one process may host both providers (db copy's tests).
/// </summary>
public sealed class StripeEventReads
{
    // Compiled: at one small batch per request, translating the LINQ each time cost more than running the SQL.
    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<string>> _recordedEventIds =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.StripeEvents.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId));

    // The transitions never touch the lines: without the auto-included join the query reads and tracks half as much.
    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<Order>> _ordersByPaymentIntent =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) =>
            db.Orders.IgnoreAutoIncludes().Where(o => o.PaymentIntentId != null && ids.Contains(o.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<PaymentIntentFact>> _intentFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.PaymentIntentFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<ChargeFact>> _chargeFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.ChargeFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<DisputeFact>> _disputeFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.DisputeFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<RefundFact>> _refundFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.RefundFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    public async Task<EventBatchState> LoadAsync(ShopDbContext db, IReadOnlyList<PendingEvent> batch, CancellationToken cancellationToken)
    {
        var eventIds = batch.Select(p => p.Event.Id).Distinct().ToList();
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in _recordedEventIds(db, eventIds).WithCancellation(cancellationToken))
        {
            recorded.Add(id);
        }

        var paymentIntentIds = batch.Select(p => p.Event.PaymentIntentId).OfType<string>().Distinct().ToList();
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        await foreach (var order in _ordersByPaymentIntent(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            orders[order.PaymentIntentId!] = order;
        }

        return new EventBatchState(recorded, orders, await LoadFactsAsync(db, orders.Keys.ToList(), cancellationToken));
    }

    private async Task<Dictionary<string, PaymentFactSet>> LoadFactsAsync(ShopDbContext db, List<string> paymentIntentIds, CancellationToken cancellationToken)
    {
        var known = paymentIntentIds.ToDictionary(id => id, _ => new PaymentFactSet(), StringComparer.Ordinal);
        if (known.Count == 0)
        {
            return known;
        }

        await foreach (var fact in _intentFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        await foreach (var fact in _chargeFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        await foreach (var fact in _disputeFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        await foreach (var fact in _refundFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        return known;
    }
}
