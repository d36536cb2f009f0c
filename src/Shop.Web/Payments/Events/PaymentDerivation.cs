using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>What the facts say about an order's payment, with what the email rules need besides the order's standing.</summary>
/// <param name="Succeeded">Money was taken (a succeeded PaymentIntent or captured charge, or a dispute, which needs one).</param>
/// <param name="Confirmed">Money was taken for exactly the order's amount and currency.</param>
/// <param name="FailureKey">The failed attempt the PaymentIntent reports now, if it reports one.</param>
public sealed record DerivedPayment(PaymentStanding Standing, bool Succeeded, bool Confirmed, string? FailureKey);

/// <summary>
/// The one place an order's status comes from: a pure function of the order's amount and Stripe's newest facts about its
/// PaymentIntent, charges and disputes. It does not know in which order the facts arrived, so no arrival order can give
/// another answer. Precedence, first match wins: an open dispute, a lost dispute, a full refund, a payment for another
/// amount not accepted by an admin, a partial refund, a won dispute, paid; then, with no money taken: canceled,
/// processing, failed, awaiting payment. Inquiries, prevented disputes and closed inquiries do not change the status.
/// </summary>
public static class PaymentDerivation
{
    /// <param name="acceptedMinorUnits">A payment amount an admin accepted for this order although it does not match it.</param>
    /// <param name="refunds">Refunds known one by one; a failed or canceled one is taken off its charge's refunded amount.</param>
    public static DerivedPayment Derive(
        long orderTotal, string orderCurrency, PaymentIntentFact? intent, IReadOnlyCollection<ChargeFact> charges, IReadOnlyCollection<DisputeFact> disputes,
        long? acceptedMinorUnits = null, IReadOnlyCollection<RefundFact>? refunds = null)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(disputes);

        var captured = charges.Where(c => c.Captured).ToList();
        var (paid, currency) = intent is { Succeeded: true }
            ? (intent.AmountReceived > 0 ? intent.AmountReceived : intent.Amount, intent.Currency)
            : (captured.Sum(c => c.AmountCaptured), captured.FirstOrDefault()?.Currency ?? "");
        var succeeded = intent is { Succeeded: true } || captured.Count > 0 || disputes.Count > 0;
        var amountKnown = paid > 0;
        var confirmed = amountKnown && paid == orderTotal && string.Equals(currency, orderCurrency, StringComparison.OrdinalIgnoreCase);
        var refunded = Math.Min(captured.Sum(c => Math.Max(0, c.AmountRefunded - FailedSince(c, refunds))), paid);
        var openDisputes = disputes.Where(d => d.IsOpen).ToList();
        var failure = intent is { Failed: true } && !succeeded ? intent : null;

        var status = true switch
        {
            _ when openDisputes.Count > 0 => OrderStatus.Disputed,
            _ when disputes.Any(d => d.Stage == DisputeStage.Lost) => OrderStatus.DisputeLost,
            // All money given back ends a review too: nothing is left to decide about.
            _ when amountKnown && refunded >= paid => OrderStatus.Refunded,
            _ when amountKnown && !confirmed && paid != acceptedMinorUnits => OrderStatus.NeedsReview,
            _ when refunded > 0 => OrderStatus.PartiallyRefunded,
            _ when disputes.Any(d => d.Stage == DisputeStage.Won) => OrderStatus.DisputeWon,
            _ when succeeded => OrderStatus.Paid,
            _ when intent?.Status == "canceled" => OrderStatus.Canceled,
            _ when intent?.Status is "processing" or "requires_capture" => OrderStatus.Processing,
            _ when failure is not null => OrderStatus.PaymentFailed,
            _ => OrderStatus.AwaitingPayment,
        };

        var standing = new PaymentStanding(
            status,
            PaidMinorUnits: paid,
            RefundedMinorUnits: refunded,
            FailureMessage: status == OrderStatus.PaymentFailed ? failure?.FailureMessage : null,
            FailureCode: status == OrderStatus.PaymentFailed ? failure?.FailureCode : null,
            DisputeEvidenceDueBy: disputes.Where(d => d.AwaitsResponse).Select(d => d.EvidenceDueBy).Where(d => d is not null).Min());
        return new DerivedPayment(standing, succeeded, confirmed, intent is { Failed: true } ? intent.FailureKey : null);
    }

    /// <summary>
    /// What failed or was canceled of a charge's refunds after the charge was read: Stripe takes it back out of the charge's
    /// amount_refunded, but the shop may hear of it only from the refund's own event.
    /// </summary>
    private static long FailedSince(ChargeFact charge, IReadOnlyCollection<RefundFact>? refunds) =>
        refunds?.Where(r => r.Failed && r.ChargeId == charge.ChargeId && r.ObservedAt > charge.ObservedAt).Sum(r => r.Amount) ?? 0;
}
