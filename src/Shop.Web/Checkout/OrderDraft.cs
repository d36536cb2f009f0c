using Shop.Web.Carts;
using Shop.Web.Orders;

namespace Shop.Web.Checkout;

/// <summary>The order the cart and the checkout form describe, with the server's prices, before it is saved.</summary>
public sealed record OrderDraft(CustomerDetails Customer, IReadOnlyList<OrderLine> Lines, string Currency)
{
    public static OrderDraft From(Cart cart, CustomerDetails customer) => new(
        customer,
        cart.Items
            .OrderBy(i => i.Product.Name)
            .Select(i => new OrderLine
            {
                ProductId = i.ProductId,
                ProductName = i.Product.Name,
                UnitPriceMinorUnits = i.Product.PriceMinorUnits,
                Currency = i.Product.Currency,
                Quantity = i.Quantity,
            })
            .ToList(),
        cart.Items[0].Product.Currency);

    /// <summary>Whether saving this draft would leave the order as it is (a double submit, a retry).</summary>
    public bool Matches(Order order) =>
        order.Currency == Currency
        && order.CustomerEmail == Customer.Email
        && ShipsLike(order)
        && order.Lines.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(Lines.Select(Key).Order(StringComparer.Ordinal));

    /// <summary>Whether the order goes to the same name and address (what its PaymentIntent's shipping says).</summary>
    public bool ShipsLike(Order order) =>
        order.CustomerName == Customer.Name && SameAddress(order.ShippingAddress, Customer.ShippingAddress);

    private static string Key(OrderLine line) =>
        FormattableString.Invariant($"{line.ProductId}|{line.ProductName}|{line.UnitPriceMinorUnits}|{line.Currency}|{line.Quantity}");

    private static bool SameAddress(ShippingAddress a, ShippingAddress b) =>
        a.Line1 == b.Line1 && a.Line2 == b.Line2 && a.City == b.City && a.PostalCode == b.PostalCode && a.Country == b.Country;
}
