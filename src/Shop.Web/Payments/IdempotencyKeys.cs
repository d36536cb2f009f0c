using Shop.Web.Orders;

namespace Shop.Web.Payments;

/// <summary>
/// Idempotency keys derived from the order, not random: the same attempt always sends the same key, so a double submit,
/// a browser retry or a retry after a timeout gets Stripe's stored answer instead of a second PaymentIntent.
/// </summary>
public static class IdempotencyKeys
{
    public static string PaymentIntentCreation(Order order) =>
        $"shop-{order.PublicId}-payment-intent-create-{order.PaymentAttempt}";

    public static string PaymentIntentUpdate(Order order, int revision) =>
        $"shop-{order.PublicId}-payment-intent-update-{revision}";
}
