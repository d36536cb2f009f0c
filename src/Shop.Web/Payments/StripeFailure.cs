using Stripe;

namespace Shop.Web.Payments;

/// <summary>Stripe's refusal in plain words, with the request id Stripe's support asks for.</summary>
public static class StripeFailure
{
    /// <summary>Stripe's message and, when Stripe gave one, its request id.</summary>
    public static string Details(StripeException ex) =>
        (ex.StripeError?.Message ?? ex.Message) + (ex.StripeResponse?.RequestId is { } requestId ? $" (Stripe request {requestId})" : "");
}
