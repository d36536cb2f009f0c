using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

public enum FactMerge
{
    /// <summary>Older than (or the same as) what is known: nothing changes.</summary>
    Stale,

    /// <summary>Newer, but says what was known already: only the time it was last seen moves.</summary>
    Refreshed,

    /// <summary>Newer and says something new.</summary>
    News,
}

/// <summary>Everything known about one PaymentIntent's payment: its newest state, and that of each of its charges and disputes.</summary>
public sealed class PaymentFactSet
{
    public PaymentIntentFact? Intent { get; private set; }

    public Dictionary<string, ChargeFact> Charges { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DisputeFact> Disputes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RefundFact> Refunds { get; } = new(StringComparer.Ordinal);

    public DerivedPayment Derive(Order order) =>
        PaymentDerivation.Derive(order.TotalMinorUnits, order.Currency, Intent, Charges.Values, Disputes.Values, order.ReviewAcceptedMinorUnits, Refunds.Values);

    /// <summary>Everything known about one PaymentIntent, read (untracked) for deciding outside the event writer.</summary>
    public static async Task<PaymentFactSet> LoadAsync(ShopDbContext db, string paymentIntentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var set = new PaymentFactSet();
        set.Intent = await db.PaymentIntentFacts.AsNoTracking().SingleOrDefaultAsync(f => f.PaymentIntentId == paymentIntentId, cancellationToken);
        foreach (var charge in await db.ChargeFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken))
        {
            set.Load(charge);
        }

        foreach (var dispute in await db.DisputeFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken))
        {
            set.Load(dispute);
        }

        foreach (var refund in await db.RefundFacts.AsNoTracking().Where(f => f.PaymentIntentId == paymentIntentId).ToListAsync(cancellationToken))
        {
            set.Load(refund);
        }

        return set;
    }

    /// <summary>Adds a fact loaded from the database.</summary>
    public void Load(IPaymentFact fact)
    {
        switch (fact)
        {
            case PaymentIntentFact intent:
                Intent = intent;
                break;
            case ChargeFact charge:
                Charges[charge.ChargeId] = charge;
                break;
            case DisputeFact dispute:
                Disputes[dispute.DisputeId] = dispute;
                break;
            case RefundFact refund:
                Refunds[refund.RefundId] = refund;
                break;
        }
    }

    /// <summary>
    /// Keeps <paramref name="fact"/> if it is newer than what is known of its object (a new row, or the tracked row updated
    /// in place) and says whether it told anything new. An older or equal fact changes nothing; a newer one that says the
    /// same only moves the time it was last seen.
    /// </summary>
    public FactMerge Merge(ShopDbContext db, IPaymentFact fact)
    {
        ArgumentNullException.ThrowIfNull(db);
        switch (fact)
        {
            case PaymentIntentFact intent:
                if (Intent is null)
                {
                    Intent = intent;
                    db.PaymentIntentFacts.Add(intent);
                    return FactMerge.News;
                }

                return Supersede(intent.Supersedes(Intent), intent.SameStateAs(Intent), () => Intent.CopyFrom(intent));
            case ChargeFact charge:
                if (!Charges.TryGetValue(charge.ChargeId, out var knownCharge))
                {
                    Charges[charge.ChargeId] = charge;
                    db.ChargeFacts.Add(charge);
                    return FactMerge.News;
                }

                return Supersede(charge.Supersedes(knownCharge), charge.SameStateAs(knownCharge), () => knownCharge.CopyFrom(charge));
            case DisputeFact dispute:
                if (!Disputes.TryGetValue(dispute.DisputeId, out var knownDispute))
                {
                    Disputes[dispute.DisputeId] = dispute;
                    db.DisputeFacts.Add(dispute);
                    return FactMerge.News;
                }

                return Supersede(dispute.Supersedes(knownDispute), dispute.SameStateAs(knownDispute), () => knownDispute.CopyFrom(dispute));
            case RefundFact refund:
                if (!Refunds.TryGetValue(refund.RefundId, out var knownRefund))
                {
                    Refunds[refund.RefundId] = refund;
                    db.RefundFacts.Add(refund);
                    return FactMerge.News;
                }

                return Supersede(refund.Supersedes(knownRefund), refund.SameStateAs(knownRefund), () => knownRefund.CopyFrom(refund));
            default:
                return FactMerge.Stale;
        }
    }

    /// <summary>The tracked row takes the newer fact's values, so the writer updates it.</summary>
    private static FactMerge Supersede(bool supersedes, bool sameState, Action copy)
    {
        if (!supersedes)
        {
            return FactMerge.Stale;
        }

        copy();
        return sameState ? FactMerge.Refreshed : FactMerge.News;
    }
}
