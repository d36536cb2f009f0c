namespace Shop.Web.Checkout;

/// <summary>What checkout may do with an order, by its PaymentIntent's status as Stripe reports it now.</summary>
public static class PaymentIntentStatuses
{
    /// <summary>The customer has not started paying: the amount and email may still change.</summary>
    public static bool AcceptsChanges(string status) => status is "requires_payment_method" or "requires_confirmation";

    /// <summary>Started but not paid (a 3-D Secure challenge): Stripe lets the shop cancel it.</summary>
    public static bool IsCancelable(string status) => status is "requires_action";

    /// <summary>Stripe has the money or is moving it; a failure later is paid again from the order page.</summary>
    public static bool HasTakenPayment(string status) => status is "processing" or "requires_capture" or "succeeded";
}
