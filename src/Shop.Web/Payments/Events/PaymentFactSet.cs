using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>Everything known about one PaymentIntent's payment: its newest state, and that of each of its charges and disputes.</summary>
public sealed class PaymentFactSet
{
    public PaymentIntentFact? Intent { get; private set; }

    public Dictionary<string, ChargeFact> Charges { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DisputeFact> Disputes { get; } = new(StringComparer.Ordinal);

    public DerivedPayment Derive(Order order) =>
        PaymentDerivation.Derive(order.TotalMinorUnits, order.Currency, Intent, Charges.Values, Disputes.Values);

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
        }
    }

    /// <summary>
    /// Keeps <paramref name="fact"/> if it is newer than what is known of its object (a new row, or the tracked row updated
    /// in place) and says whether it was. An older or equal fact changes nothing.
    /// </summary>
    public bool Merge(ShopDbContext db, IPaymentFact fact)
    {
        ArgumentNullException.ThrowIfNull(db);
        switch (fact)
        {
            case PaymentIntentFact intent:
                if (Intent is null)
                {
                    Intent = intent;
                    db.PaymentIntentFacts.Add(intent);
                    return true;
                }

                return Supersede(intent.Supersedes(Intent), () => Intent.CopyFrom(intent));
            case ChargeFact charge:
                if (!Charges.TryGetValue(charge.ChargeId, out var knownCharge))
                {
                    Charges[charge.ChargeId] = charge;
                    db.ChargeFacts.Add(charge);
                    return true;
                }

                return Supersede(charge.Supersedes(knownCharge), () => knownCharge.CopyFrom(charge));
            case DisputeFact dispute:
                if (!Disputes.TryGetValue(dispute.DisputeId, out var knownDispute))
                {
                    Disputes[dispute.DisputeId] = dispute;
                    db.DisputeFacts.Add(dispute);
                    return true;
                }

                return Supersede(dispute.Supersedes(knownDispute), () => knownDispute.CopyFrom(dispute));
            default:
                return false;
        }
    }

    /// <summary>The tracked row takes the newer fact's values, so the writer updates it.</summary>
    private static bool Supersede(bool supersedes, Action copy)
    {
        if (supersedes)
        {
            copy();
        }

        return supersedes;
    }
}
