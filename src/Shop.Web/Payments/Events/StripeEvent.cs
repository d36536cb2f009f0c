using System.Text.Json;

namespace Shop.Web.Payments.Events;

/// <summary>
/// A Stripe event as the shop uses it: its id (the dedupe key), type, Stripe's time, and the facts its object carries.
/// Read straight from the JSON rather than through Stripe.net's typed Event, so an event of another API release train
/// stays readable: the fields used here have kept their names across versions, and a version mismatch must not become a
/// 400 that Stripe retries for three days. Reconciliation and catch-up make these too, from API responses.
/// </summary>
public sealed record StripeEvent(
    string Id,
    string Type,
    DateTimeOffset Created,
    string? ApiVersion,
    string? PaymentIntentId,
    IReadOnlyList<IPaymentFact> Facts,
    bool? Livemode = null)
{
    /// <summary>The event types to subscribe an endpoint to. Any event whose object is a PaymentIntent, charge or dispute is read.</summary>
    public static readonly IReadOnlySet<string> RecommendedTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "payment_intent.succeeded",
        "payment_intent.processing",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.requires_action",
        "payment_intent.amount_capturable_updated",
        "charge.succeeded",
        "charge.captured",
        "charge.refunded",
        "charge.refund.updated",
        "refund.failed",
        "charge.dispute.created",
        "charge.dispute.updated",
        "charge.dispute.closed",
    };

    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, out StripeEvent? stripeEvent, out string? error)
    {
        stripeEvent = null;
        try
        {
            using var document = JsonDocument.Parse(utf8Json);
            return TryRead(document.RootElement, out stripeEvent, out error);
        }
        catch (JsonException ex)
        {
            error = "The body is not valid JSON: " + ex.Message;
            return false;
        }
    }

    /// <summary>Reads one event object, as delivered by webhook or listed by <c>GET /v1/events</c>.</summary>
    public static bool TryRead(JsonElement root, out StripeEvent? stripeEvent, out string? error)
    {
        stripeEvent = null;
        if (root.ValueKind != JsonValueKind.Object
            || StripeJson.String(root, "object") != "event"
            || StripeJson.String(root, "id") is not { Length: > 0 } id
            || StripeJson.String(root, "type") is not { Length: > 0 } type
            || StripeJson.Object(root, "data") is not { } data
            || StripeJson.Object(data, "object") is not { } obj)
        {
            error = "The body is not a Stripe event: it needs object \"event\", id, type and data.object.";
            return false;
        }

        var created = DateTimeOffset.FromUnixTimeSeconds(StripeJson.Long(root, "created") ?? 0);
        var facts = ReadFacts(obj, created);
        stripeEvent = new StripeEvent(id, type, created, StripeJson.String(root, "api_version"), PaymentIntentOf(obj), facts, StripeJson.Bool(root, "livemode"));
        error = null;
        return true;
    }

    /// <summary>
    /// The facts an object carries: a PaymentIntent (with its latest charge, when expanded), a charge, a dispute or a refund. Other
    /// objects carry none the shop uses.
    /// </summary>
    public static IReadOnlyList<IPaymentFact> ReadFacts(JsonElement obj, DateTimeOffset observedAt)
    {
        if (PaymentIntentOf(obj) is not { Length: > 0 } paymentIntentId)
        {
            return [];
        }

        switch (StripeJson.String(obj, "object"))
        {
            case "payment_intent":
                var intent = PaymentIntentFact.Read(obj, observedAt);
                return StripeJson.Object(obj, "latest_charge") is { } charge
                    ? [intent, ChargeFact.Read(charge, paymentIntentId, observedAt)]
                    : [intent];
            case "charge":
                return [ChargeFact.Read(obj, paymentIntentId, observedAt)];
            case "dispute":
                return [DisputeFact.Read(obj, paymentIntentId, observedAt)];
            case "refund":
                return [RefundFact.Read(obj, paymentIntentId, observedAt)];
            default:
                return [];
        }
    }

    /// <summary>
    /// A PaymentIntent is its own id; charges, refunds and disputes point at theirs. Orders are found by it alone:
    /// metadata[order_id] is not trusted, since any PaymentIntent could carry it.
    /// </summary>
    private static string? PaymentIntentOf(JsonElement obj) =>
        StripeJson.String(obj, "object") == "payment_intent" ? StripeJson.String(obj, "id") : StripeJson.IdOf(obj, "payment_intent");
}
