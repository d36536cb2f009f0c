namespace Shop.Web.Orders;

public enum OrderStatus
{
    /// <summary>Placed; the customer has not paid yet, or has and the webhook has not arrived.</summary>
    AwaitingPayment,

    /// <summary>A payment attempt is under way (a bank debit clearing, or authorised and awaiting capture); Stripe will say how it ends.</summary>
    Processing,

    /// <summary>The last attempt failed; the customer may pay again with another method.</summary>
    PaymentFailed,

    Paid,

    /// <summary>The PaymentIntent was canceled; nothing can be paid any more.</summary>
    Canceled,

    PartiallyRefunded,

    Refunded,

    /// <summary>The customer disputed the charge with their bank and the dispute is still open.</summary>
    Disputed,

    /// <summary>The bank decided the dispute for the shop: the money stays with the shop.</summary>
    DisputeWon,

    /// <summary>The bank decided the dispute for the customer; the money went back to them.</summary>
    DisputeLost,

    /// <summary>Stripe reported a payment that does not match the order (amount or currency); a person must look.</summary>
    NeedsReview,
}
