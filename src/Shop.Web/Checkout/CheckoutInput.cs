using Shop.Web.Orders;

namespace Shop.Web.Checkout;

/// <summary>What the checkout form posts. Prices and amounts are deliberately absent: they come from the server.</summary>
public sealed class CheckoutInput
{
    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    public string Line1 { get; set; } = "";

    public string? Line2 { get; set; }

    public string City { get; set; } = "";

    public string PostalCode { get; set; } = "";

    public string Country { get; set; } = "";

    public CustomerDetails ToCustomerDetails() => new(
        Email.Trim(),
        Name.Trim(),
        new ShippingAddress
        {
            Line1 = Line1.Trim(),
            Line2 = string.IsNullOrWhiteSpace(Line2) ? null : Line2.Trim(),
            City = City.Trim(),
            PostalCode = PostalCode.Trim(),
            Country = Country.Trim().ToUpperInvariant(),
        });
}
