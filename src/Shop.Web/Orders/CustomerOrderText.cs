namespace Shop.Web.Orders;

/// <summary>An order's status as its customer reads it: in words, with what happens next. Nothing from Stripe or the admin area.</summary>
public static class CustomerOrderText
{
    public static string Status(OrderStatus status) => status switch
    {
        OrderStatus.AwaitingPayment => "Awaiting payment",
        OrderStatus.Processing => "Payment processing",
        OrderStatus.PaymentFailed => "Payment failed",
        OrderStatus.Paid => "Paid",
        OrderStatus.Canceled => "Canceled",
        OrderStatus.PartiallyRefunded => "Partially refunded",
        OrderStatus.Refunded => "Refunded",
        OrderStatus.Disputed => "Payment disputed",
        OrderStatus.DisputeWon => "Paid (dispute closed)",
        OrderStatus.DisputeLost => "Payment returned by your card issuer",
        OrderStatus.NeedsReview => "Payment being checked",
        _ => status.ToString(),
    };

    public static string NextStep(OrderStatus status) => status switch
    {
        OrderStatus.AwaitingPayment => "We have your order. It ships once your payment is confirmed.",
        OrderStatus.Processing => "Your bank is confirming the payment. We email you a receipt as soon as it is done.",
        OrderStatus.PaymentFailed => "Nothing was charged.",
        OrderStatus.Paid => "Thank you! We are preparing your order for shipping; your receipt is in your inbox.",
        OrderStatus.Canceled => "This order was canceled and nothing was charged.",
        OrderStatus.PartiallyRefunded => "Part of your payment was refunded to the card you paid with; banks take 5 to 10 business days to show it.",
        OrderStatus.Refunded => "Your payment was refunded in full to the card you paid with; banks take 5 to 10 business days to show it.",
        OrderStatus.Disputed => "Your card issuer told us you disputed this payment. The order is on hold until they decide.",
        OrderStatus.DisputeWon => "Your card issuer closed the dispute and the payment stands.",
        OrderStatus.DisputeLost => "Your card issuer decided the dispute in your favour and returned the payment to you.",
        OrderStatus.NeedsReview => "The payment we received does not match this order's total. We are checking it and will write to you.",
        _ => "",
    };
}
