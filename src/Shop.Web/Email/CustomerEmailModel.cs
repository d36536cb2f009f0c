using Shop.Web.Common;
using Shop.Web.Orders;

namespace Shop.Web.Email;

/// <summary>What every email template gets: the order as it is now, the outbox row's facts and the customer's links.</summary>
public sealed record CustomerEmailModel(Order Order, OutboxMessage Message, Uri OrderUrl, Uri PayUrl)
{
    /// <summary>The amount the email is about, frozen when the order changed (the refunded total for a refund notice).</summary>
    public Money Amount => new(Message.AmountMinorUnits, Order.Currency);

    /// <summary>Stripe's customer-facing decline message, or a general one when Stripe gave none.</summary>
    public string DeclineReason => string.IsNullOrWhiteSpace(Message.Reason) ? "Your payment was declined." : Message.Reason;

    /// <summary>A dispute's evidence deadline, in UTC, or "unknown" when Stripe gave none.</summary>
    public string DueBy => Message.DueAt is { } due ? due.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "unknown";

    /// <summary>What the operators' dispute notice says happened, by its kind.</summary>
    public string DisputeNews => Message.Kind switch
    {
        CustomerEmailKind.DisputeInquiry => $"A customer's card issuer asked about the payment for order {Order.PublicId}. This is an inquiry: no money has moved yet, but unanswered it may become a chargeback.",
        CustomerEmailKind.DisputeAppeal => $"The lost dispute on the payment for order {Order.PublicId} is being appealed and needs evidence again.",
        _ => $"A customer disputed the payment for order {Order.PublicId} with their card issuer.",
    };

    public IEnumerable<string> ShippingLines
    {
        get
        {
            var address = Order.ShippingAddress;
            yield return Order.CustomerName;
            yield return address.Line1;
            if (!string.IsNullOrWhiteSpace(address.Line2))
            {
                yield return address.Line2;
            }

            yield return $"{address.PostalCode} {address.City}";
            yield return address.Country;
        }
    }
}
