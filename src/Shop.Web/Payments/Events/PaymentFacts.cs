// Over 300 lines on purpose: the facts of the PaymentIntent, the charge, the dispute and the refund, each with its mapping
// of Stripe's statuses and its Supersedes rule, side by side so they can be compared.
using System.Text.Json;

namespace Shop.Web.Payments.Events;

/// <summary>
/// What Stripe said about one of its objects (a PaymentIntent, a charge, a dispute) at one moment, by Stripe's clock.
/// The shop keeps the newest fact per object; an order's status is derived from them (<see cref="PaymentDerivation"/>).
/// "Newer" is a total order (see each <c>Supersedes</c>), so the facts kept, and the status derived, are the same
/// whatever order the same news arrives in.
/// </summary>
public interface IPaymentFact
{
    string PaymentIntentId { get; }

    /// <summary>When Stripe reported this state: the event's <c>created</c>, or the time of the API response.</summary>
    DateTimeOffset ObservedAt { get; }

    /// <summary>Stripe's id of the object: pi_…, ch_…, du_….</summary>
    string ObjectId { get; }

    string Describe();
}

/// <summary>The newest known state of a PaymentIntent.</summary>
public sealed class PaymentIntentFact : IPaymentFact
{
    public required string PaymentIntentId { get; init; }

    public required string Status { get; set; }

    public long Amount { get; set; }

    public long AmountReceived { get; set; }

    public required string Currency { get; set; }

    /// <summary>Stripe's decline code or error code of the last failed attempt.</summary>
    public string? FailureCode { get; set; }

    /// <summary>Stripe's message of the last failed attempt, written for customers.</summary>
    public string? FailureMessage { get; set; }

    /// <summary>Identifies the failed attempt (its charge, or payment method and code), so one failure is told once.</summary>
    public string? FailureKey { get; set; }

    public DateTimeOffset ObservedAt { get; set; }

    public string ObjectId => PaymentIntentId;

    public bool Succeeded => Status == "succeeded";

    public bool Failed => Status == "requires_payment_method" && FailureKey is not null;

    /// <summary>
    /// Succeeded and canceled are final: nothing after them is news, and succeeded (money moved) outranks even canceled,
    /// which Stripe never sends after it. Otherwise the later fact wins, and within one second (Stripe's resolution) the
    /// one further along the PaymentIntent's life.
    /// </summary>
    public bool Supersedes(PaymentIntentFact known) =>
        Compare((Finality(Status), ObservedAt, Progress(Status), FailureKey ?? ""), (Finality(known.Status), known.ObservedAt, Progress(known.Status), known.FailureKey ?? "")) > 0;

    /// <summary>Says the same as <paramref name="other"/>, whenever each was observed.</summary>
    public bool SameStateAs(PaymentIntentFact other) =>
        (Status, Amount, AmountReceived, Currency, FailureKey) == (other.Status, other.Amount, other.AmountReceived, other.Currency, other.FailureKey);

    public void CopyFrom(PaymentIntentFact newer)
    {
        (Status, Amount, AmountReceived, Currency) = (newer.Status, newer.Amount, newer.AmountReceived, newer.Currency);
        (FailureCode, FailureMessage, FailureKey, ObservedAt) = (newer.FailureCode, newer.FailureMessage, newer.FailureKey, newer.ObservedAt);
    }

    public string Describe() => Failed
        ? $"PaymentIntent {PaymentIntentId} failed ({FailureCode ?? "no code"})"
        : $"PaymentIntent {PaymentIntentId} is {Status}";

    internal static PaymentIntentFact Read(JsonElement intent, DateTimeOffset observedAt)
    {
        var error = StripeJson.Object(intent, "last_payment_error");
        var status = StripeJson.String(intent, "status") ?? "";
        var code = error is { } e ? StripeJson.String(e, "decline_code") ?? StripeJson.String(e, "code") : null;
        var message = error is { } m ? StripeJson.String(m, "message") : null;
        string? failureKey = null;
        if (status == "requires_payment_method" && error is { } failure)
        {
            // A card decline leaves a failed charge: its id names the attempt. Other failures have no charge.
            failureKey = StripeJson.IdOf(failure, "charge")
                ?? $"{StripeJson.IdOf(failure, "payment_method") ?? "no-method"}:{code ?? "no-code"}";
        }

        return new PaymentIntentFact
        {
            PaymentIntentId = StripeJson.String(intent, "id") ?? "",
            Status = status,
            Amount = StripeJson.Long(intent, "amount") ?? 0,
            AmountReceived = StripeJson.Long(intent, "amount_received") ?? 0,
            Currency = StripeJson.String(intent, "currency") ?? "",
            FailureCode = failureKey is null ? null : Truncate(code, 100),
            FailureMessage = failureKey is null ? null : Truncate(message, 500),
            FailureKey = Truncate(failureKey, 255),
            ObservedAt = observedAt,
        };
    }

    private static int Finality(string status) => status switch
    {
        "succeeded" => 2,
        "canceled" => 1,
        _ => 0,
    };

    private static int Progress(string status) => status switch
    {
        "requires_payment_method" => 0,
        "requires_confirmation" => 1,
        "requires_action" => 2,
        "processing" => 3,
        "requires_capture" => 4,
        _ => 5,
    };

    internal static int Compare<T>(T left, T right) => Comparer<T>.Default.Compare(left, right);

    internal static string? Truncate(string? value, int length) => value is { Length: var n } && n > length ? value[..length] : value;
}

/// <summary>The newest known state of a charge: what it captured and what has been refunded of it.</summary>
public sealed class ChargeFact : IPaymentFact
{
    public required string ChargeId { get; init; }

    public required string PaymentIntentId { get; init; }

    /// <summary>succeeded, pending or failed.</summary>
    public required string Status { get; set; }

    public long Amount { get; set; }

    public long AmountCaptured { get; set; }

    /// <summary>Cumulative over the charge's refunds (pending ones included, failed ones taken back out by Stripe).</summary>
    public long AmountRefunded { get; set; }

    public required string Currency { get; set; }

    public DateTimeOffset ObservedAt { get; set; }

    public string ObjectId => ChargeId;

    /// <summary>The money was taken: the payment behind this charge succeeded, whatever the PaymentIntent events say yet.</summary>
    public bool Captured => Status == "succeeded" && AmountCaptured > 0;

    /// <summary>The later fact wins; within one second, the one further along (a refund only ever follows a capture).</summary>
    public bool Supersedes(ChargeFact known) =>
        PaymentIntentFact.Compare((ObservedAt, Progress(Status), AmountCaptured, AmountRefunded), (known.ObservedAt, Progress(known.Status), known.AmountCaptured, known.AmountRefunded)) > 0;

    public bool SameStateAs(ChargeFact other) =>
        (Status, Amount, AmountCaptured, AmountRefunded, Currency) == (other.Status, other.Amount, other.AmountCaptured, other.AmountRefunded, other.Currency);

    public void CopyFrom(ChargeFact newer)
    {
        (Status, Amount, AmountCaptured, AmountRefunded) = (newer.Status, newer.Amount, newer.AmountCaptured, newer.AmountRefunded);
        (Currency, ObservedAt) = (newer.Currency, newer.ObservedAt);
    }

    public string Describe() => AmountRefunded > 0
        ? $"charge {ChargeId} {Status}, {AmountRefunded} of {AmountCaptured} refunded"
        : $"charge {ChargeId} {Status}";

    internal static ChargeFact Read(JsonElement charge, string paymentIntentId, DateTimeOffset observedAt) => new()
    {
        ChargeId = StripeJson.String(charge, "id") ?? "",
        PaymentIntentId = paymentIntentId,
        Status = StripeJson.String(charge, "status") ?? "",
        Amount = StripeJson.Long(charge, "amount") ?? 0,
        // Older API versions have no amount_captured; a captured charge then captured all of its amount.
        AmountCaptured = StripeJson.Long(charge, "amount_captured")
            ?? (StripeJson.Bool(charge, "captured") == true ? StripeJson.Long(charge, "amount") ?? 0 : 0),
        AmountRefunded = StripeJson.Long(charge, "amount_refunded") ?? 0,
        Currency = StripeJson.String(charge, "currency") ?? "",
        ObservedAt = observedAt,
    };

    private static int Progress(string status) => status switch
    {
        "pending" => 0,
        "failed" => 1,
        _ => 2,
    };
}

/// <summary>The newest known state of a dispute (a chargeback or an inquiry) on one of the order's charges.</summary>
public sealed class DisputeFact : IPaymentFact
{
    public required string DisputeId { get; init; }

    public required string PaymentIntentId { get; init; }

    public string? ChargeId { get; set; }

    /// <summary>Stripe's status; see <see cref="Stage"/> for what each one means to the shop.</summary>
    public required string Status { get; set; }

    public long Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>Stripe's reason code: fraudulent, product_not_received…</summary>
    public string? Reason { get; set; }

    /// <summary>When the shop's evidence must be in (evidence_details.due_by).</summary>
    public DateTimeOffset? EvidenceDueBy { get; set; }

    public DateTimeOffset ObservedAt { get; set; }

    public string ObjectId => DisputeId;

    public DisputeStage Stage => StageOf(Status);

    /// <summary>A chargeback (or its appeal) still undecided: the money is held back and the shop must answer.</summary>
    public bool IsOpen => Stage is DisputeStage.Chargeback or DisputeStage.Appeal;

    /// <summary>Open, or an inquiry: the shop has something to answer by <see cref="EvidenceDueBy"/>.</summary>
    public bool AwaitsResponse => IsOpen || Stage == DisputeStage.Inquiry;

    /// <summary>
    /// Won, prevented and warning_closed are final; lost is not, since an appeal may follow it. Otherwise the later fact
    /// wins, and within one second the one further along.
    /// </summary>
    public bool Supersedes(DisputeFact known) =>
        PaymentIntentFact.Compare((IsFinal(Status), ObservedAt, Progress(Status)), (IsFinal(known.Status), known.ObservedAt, Progress(known.Status))) > 0;

    /// <summary>
    /// Every status of Stripe.net 53.1.0's Dispute.Status (API 2026-10-28.endive), placed on purpose. A status newer than
    /// that list is taken for an open chargeback: a person looks rather than nobody.
    /// </summary>
    public static DisputeStage StageOf(string status) => status switch
    {
        "warning_needs_response" or "warning_under_review" => DisputeStage.Inquiry,
        "warning_closed" => DisputeStage.InquiryClosed,
        "prevented" => DisputeStage.Prevented,
        "appeal_needs_response" or "appeal_under_review" => DisputeStage.Appeal,
        "won" => DisputeStage.Won,
        "lost" => DisputeStage.Lost,
        _ => DisputeStage.Chargeback,
    };

    public bool SameStateAs(DisputeFact other) =>
        (Status, Amount, Currency, EvidenceDueBy) == (other.Status, other.Amount, other.Currency, other.EvidenceDueBy);

    public void CopyFrom(DisputeFact newer)
    {
        (ChargeId, Status, Amount, Currency) = (newer.ChargeId, newer.Status, newer.Amount, newer.Currency);
        (Reason, EvidenceDueBy, ObservedAt) = (newer.Reason, newer.EvidenceDueBy, newer.ObservedAt);
    }

    public string Describe() => $"dispute {DisputeId} {Status}";

    internal static DisputeFact Read(JsonElement dispute, string paymentIntentId, DateTimeOffset observedAt)
    {
        var dueBy = StripeJson.Object(dispute, "evidence_details") is { } evidence ? StripeJson.Long(evidence, "due_by") : null;
        return new DisputeFact
        {
            DisputeId = StripeJson.String(dispute, "id") ?? "",
            PaymentIntentId = paymentIntentId,
            ChargeId = StripeJson.IdOf(dispute, "charge"),
            Status = StripeJson.String(dispute, "status") ?? "",
            Amount = StripeJson.Long(dispute, "amount") ?? 0,
            Currency = StripeJson.String(dispute, "currency") ?? "",
            Reason = PaymentIntentFact.Truncate(StripeJson.String(dispute, "reason"), 100),
            EvidenceDueBy = dueBy is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
            ObservedAt = observedAt,
        };
    }

    private static bool IsFinal(string status) => status is "won" or "prevented" or "warning_closed";

    private static int Progress(string status) => status switch
    {
        "warning_needs_response" => 0,
        "warning_under_review" => 1,
        "needs_response" => 2,
        "under_review" => 3,
        "lost" => 4,
        "appeal_needs_response" => 5,
        "appeal_under_review" => 6,
        _ => 7,
    };
}

/// <summary>
/// The newest known state of a refund of one of the order's charges. Only a failed or canceled refund changes what the
/// shop derives: its money went back to the shop, not to the customer, and a charge read before that still counts it.
/// </summary>
public sealed class RefundFact : IPaymentFact
{
    public required string RefundId { get; init; }

    public required string PaymentIntentId { get; init; }

    public string? ChargeId { get; set; }

    /// <summary>pending, requires_action, succeeded, failed or canceled.</summary>
    public required string Status { get; set; }

    public long Amount { get; set; }

    public required string Currency { get; set; }

    public DateTimeOffset ObservedAt { get; set; }

    public string ObjectId => RefundId;

    public bool Failed => IsFinal(Status);

    /// <summary>Failed and canceled are final (a succeeded refund can still fail later); otherwise the later fact wins.</summary>
    public bool Supersedes(RefundFact known) =>
        PaymentIntentFact.Compare((IsFinal(Status), ObservedAt, Progress(Status)), (IsFinal(known.Status), known.ObservedAt, Progress(known.Status))) > 0;

    public bool SameStateAs(RefundFact other) => (Status, Amount, Currency, ChargeId) == (other.Status, other.Amount, other.Currency, other.ChargeId);

    public void CopyFrom(RefundFact newer) =>
        (ChargeId, Status, Amount, Currency, ObservedAt) = (newer.ChargeId, newer.Status, newer.Amount, newer.Currency, newer.ObservedAt);

    public string Describe() => $"refund {RefundId} of {Amount} {Status}";

    internal static RefundFact Read(JsonElement refund, string paymentIntentId, DateTimeOffset observedAt) => new()
    {
        RefundId = StripeJson.String(refund, "id") ?? "",
        PaymentIntentId = paymentIntentId,
        ChargeId = StripeJson.IdOf(refund, "charge"),
        Status = StripeJson.String(refund, "status") ?? "",
        Amount = StripeJson.Long(refund, "amount") ?? 0,
        Currency = StripeJson.String(refund, "currency") ?? "",
        ObservedAt = observedAt,
    };

    private static bool IsFinal(string status) => status is "failed" or "canceled";

    private static int Progress(string status) => status switch
    {
        "pending" => 0,
        "requires_action" => 1,
        _ => 2,
    };
}

/// <summary>Where a dispute stands for the shop, whichever of Stripe's statuses says it.</summary>
public enum DisputeStage
{
    /// <summary>warning_needs_response, warning_under_review: the bank asks before any chargeback; no money has moved.</summary>
    Inquiry,

    /// <summary>warning_closed: the inquiry ended without a chargeback.</summary>
    InquiryClosed,

    /// <summary>prevented: the charge was refunded instead of disputed (the refund shows on the charge); nothing to answer.</summary>
    Prevented,

    /// <summary>needs_response, under_review: the money is held back until the bank decides.</summary>
    Chargeback,

    /// <summary>appeal_needs_response, appeal_under_review: a lost dispute appealed; undecided again.</summary>
    Appeal,

    Won,

    Lost,
}

/// <summary>Reads the few stable fields of Stripe's JSON that the facts need, tolerating any API version's extras.</summary>
internal static class StripeJson
{
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>A reference that is either an id or, when expanded, the object itself.</summary>
    public static string? IdOf(JsonElement element, string name) =>
        String(element, name) ?? (Object(element, name) is { } expanded ? String(expanded, "id") : null);
}
