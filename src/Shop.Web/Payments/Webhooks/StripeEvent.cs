using System.Text.Json;

namespace Shop.Web.Payments.Webhooks;

/// <summary>
/// The fields of a Stripe event the shop acts on, read straight from the JSON. Reading only these (instead of
/// Stripe.net's typed Event) keeps an event of another API release train readable: the fields used here have kept their
/// names across versions, and a version mismatch must not become a 400 that Stripe retries for three days.
/// </summary>
public sealed record StripeEvent(
    string Id,
    string Type,
    DateTimeOffset Created,
    string? ApiVersion,
    string? PaymentIntentId,
    long? Amount,
    string? Currency,
    string? Status,
    long? AmountRefunded,
    string? FailureMessage,
    string? FailureCode)
{
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

    private static bool TryRead(JsonElement root, out StripeEvent? stripeEvent, out string? error)
    {
        stripeEvent = null;
        if (root.ValueKind != JsonValueKind.Object
            || String(root, "object") != "event"
            || String(root, "id") is not { Length: > 0 } id
            || String(root, "type") is not { Length: > 0 } type
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            error = "The body is not a Stripe event: it needs object \"event\", id, type and data.object.";
            return false;
        }

        var objectType = String(obj, "object");
        var lastError = obj.TryGetProperty("last_payment_error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        stripeEvent = new StripeEvent(
            id,
            type,
            DateTimeOffset.FromUnixTimeSeconds(Long(root, "created") ?? 0),
            String(root, "api_version"),
            // A PaymentIntent is its own id; charges, refunds and disputes point at theirs. Orders are found by it alone:
            // metadata[order_id] is not trusted, since any PaymentIntent could carry it.
            objectType == "payment_intent" ? String(obj, "id") : String(obj, "payment_intent"),
            Long(obj, "amount"),
            String(obj, "currency"),
            String(obj, "status"),
            Long(obj, "amount_refunded"),
            lastError.ValueKind == JsonValueKind.Object ? String(lastError, "message") : String(obj, "failure_message"),
            lastError.ValueKind == JsonValueKind.Object
                ? String(lastError, "decline_code") ?? String(lastError, "code")
                : String(obj, "failure_code"));
        error = null;
        return true;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
