using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Payments.Events;

/// <summary>An event of the other mode than the shop's key (live against test, or test against live) is kept and not applied.</summary>
public sealed class LivemodeTests : IDisposable
{
    private readonly StripeStub _stripe = new();

    [Theory]
    [InlineData("sk_test_fake_key_for_tests", "pk_test_fake_key_for_tests", true)]
    [InlineData("sk_live_fake_key_for_tests", "pk_live_fake_key_for_tests", false)]
    public async Task An_event_whose_livemode_differs_from_the_keys_mode_is_recorded_and_not_applied(string secretKey, string publishableKey, bool eventLivemode)
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = secretKey,
            ["Stripe:PublishableKey"] = publishableKey,
            ["Logging:LogLevel:Shop.Web.Payments"] = "None",
        });
        var order = await app.PlaceOrderAsync();
        var eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, eventId: eventId,
            change: e => e["livemode"] = eventLivemode);
        using var client = app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = app.OpenDatabase();
        Assert.Equal(OrderStatus.AwaitingPayment, (await db.Orders.SingleAsync()).Status);
        Assert.Equal(StripeEventOutcome.LivemodeMismatch, (await db.StripeEvents.SingleAsync(e => e.EventId == eventId)).Outcome);
        Assert.Empty(db.Outbox);
    }

    [Fact]
    public async Task An_event_of_the_keys_own_mode_is_applied()
    {
        using var app = new ShopApp(_stripe);
        var order = await app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, change: e => e["livemode"] = false);
        using var client = app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
    }

    public void Dispose() => _stripe.Dispose();
}
