using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shop.Web.Orders;
using Stripe;

namespace Shop.Web.Payments;

/// <summary>
/// Idempotency keys derived from the order, its attempt and a hash of every parameter sent, never random. A double
/// submit or a retry after a timeout sends the same key and gets Stripe's stored answer instead of a second
/// PaymentIntent; a corrected email or amount sends a new key, because Stripe refuses a key reused with other
/// parameters (idempotency_error) for 24 hours.
/// </summary>
public static class IdempotencyKeys
{
    // Stripe.net's options serialize under Stripe's own parameter names; unset ones are left out, so a Stripe.net
    // upgrade that adds parameters does not change the keys of requests that do not use them.
    private static readonly JsonSerializerOptions s_canonical = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string PaymentIntentCreation(Order order, PaymentIntentCreateOptions parameters) =>
        Key(order, "pi-create", order.PaymentAttempt, Canonical(parameters));

    /// <param name="revision">Counts updates, so that going back to an earlier amount is sent again, not answered from Stripe's store.</param>
    public static string PaymentIntentUpdate(Order order, string paymentIntentId, int revision, PaymentIntentUpdateOptions parameters) =>
        Key(order, "pi-update", revision, paymentIntentId + "?" + Canonical(parameters));

    public static string PaymentIntentCancellation(Order order, string paymentIntentId, PaymentIntentCancelOptions parameters) =>
        Key(order, "pi-cancel", order.PaymentAttempt, paymentIntentId + "?" + Canonical(parameters));

    private static string Canonical(BaseOptions parameters) => JsonSerializer.Serialize(parameters, parameters.GetType(), s_canonical);

    private static string Key(Order order, string operation, int counter, string request) =>
        $"shop-{order.PublicId}-{operation}-{counter}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request)))[..16]}";
}
