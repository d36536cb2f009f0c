using Shop.Tests.Infrastructure;

namespace Shop.Tests.Checkout;

/// <summary>The PaymentIntent carries the order's shipping name and address, so Stripe Radar can use them.</summary>
public sealed class ShippingTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public ShippingTests() => _app = new ShopApp(_stripe);

    [Fact]
    public async Task A_payment_intent_is_created_with_the_checkout_shipping_address()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");

        await session.CheckoutAsync(ShopSession.Customer.Append(new("Input.Line2", "Flat 3")));

        var form = Assert.Single(_stripe.PaymentIntentCreations).Form;
        Assert.Equal("Ada Lovelace", form["shipping[name]"]);
        Assert.Equal("12 St James's Square", form["shipping[address][line1]"]);
        Assert.Equal("Flat 3", form["shipping[address][line2]"]);
        Assert.Equal("London", form["shipping[address][city]"]);
        Assert.Equal("SW1Y 4JH", form["shipping[address][postal_code]"]);
        Assert.Equal("GB", form["shipping[address][country]"]);
    }

    [Fact]
    public async Task A_new_address_for_the_same_cart_updates_the_payment_intent_shipping()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        await session.CheckoutAsync();
        var moved = new Dictionary<string, string>(ShopSession.Customer)
        {
            ["Input.Name"] = "Ada King",
            ["Input.Line1"] = "10 Downing Street",
            ["Input.PostalCode"] = "SW1A 2AA",
        };

        await session.CheckoutAsync(moved);

        Assert.Single(_stripe.PaymentIntentCreations);
        var update = Assert.Single(_stripe.PaymentIntentUpdates).Form;
        Assert.Equal("Ada King", update["shipping[name]"]);
        Assert.Equal("10 Downing Street", update["shipping[address][line1]"]);
        Assert.Equal("SW1A 2AA", update["shipping[address][postal_code]"]);
        Assert.Equal("GB", update["shipping[address][country]"]);
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
