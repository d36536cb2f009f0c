namespace Shop.Web.Orders;

public enum OrderStatus
{
    /// <summary>Placed; the customer has not paid yet, or has and the webhook has not arrived.</summary>
    AwaitingPayment,

    /// <summary>The payment method needs time (some bank debits); Stripe will say succeeded or failed.</summary>
    Processing,

    /// <summary>The last attempt failed; the customer may pay again with another method.</summary>
    PaymentFailed,

    Paid,

    /// <summary>The PaymentIntent was canceled; nothing can be paid any more.</summary>
    Canceled,

    PartiallyRefunded,

    Refunded,

    /// <summary>The customer disputed the charge with their bank.</summary>
    Disputed,

    /// <summary>The bank decided the dispute for the customer; the money went back to them.</summary>
    DisputeLost,

    /// <summary>Stripe reported a payment that does not match the order (amount or currency); a person must look.</summary>
    NeedsReview,
}
