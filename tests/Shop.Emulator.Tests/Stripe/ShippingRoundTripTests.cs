using Stripe;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>The shop sends the order's shipping name and address with its PaymentIntent; the emulator keeps and returns them as Stripe does.</summary>
public sealed class ShippingRoundTripTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    [Fact]
    public async Task A_payment_intent_created_with_shipping_returns_it_on_retrieve()
    {
        var created = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2400,
            Currency = "gbp",
            Shipping = Shipping("Ada Lovelace", "12 St James's Square", "SW1Y 4JH"),
        });

        var retrieved = await emulator.Client.V1.PaymentIntents.GetAsync(created.Id);

        Assert.Equal("Ada Lovelace", retrieved.Shipping.Name);
        Assert.Equal("12 St James's Square", retrieved.Shipping.Address.Line1);
        Assert.Null(retrieved.Shipping.Address.Line2);
        Assert.Equal("London", retrieved.Shipping.Address.City);
        Assert.Equal("SW1Y 4JH", retrieved.Shipping.Address.PostalCode);
        Assert.Equal("GB", retrieved.Shipping.Address.Country);
        Assert.Null(retrieved.Shipping.TrackingNumber);
    }

    [Fact]
    public async Task An_update_replaces_the_shipping_address()
    {
        var created = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2400,
            Currency = "gbp",
            Shipping = Shipping("Ada Lovelace", "12 St James's Square", "SW1Y 4JH"),
        });

        await emulator.Client.V1.PaymentIntents.UpdateAsync(created.Id, new PaymentIntentUpdateOptions
        {
            Shipping = Shipping("Ada King", "10 Downing Street", "SW1A 2AA"),
        });
        var retrieved = await emulator.Client.V1.PaymentIntents.GetAsync(created.Id);

        Assert.Equal("Ada King", retrieved.Shipping.Name);
        Assert.Equal("10 Downing Street", retrieved.Shipping.Address.Line1);
        Assert.Equal("SW1A 2AA", retrieved.Shipping.Address.PostalCode);
    }

    private static ChargeShippingOptions Shipping(string name, string line1, string postalCode) => new()
    {
        Name = name,
        Address = new AddressOptions { Line1 = line1, City = "London", PostalCode = postalCode, Country = "GB" },
    };
}
