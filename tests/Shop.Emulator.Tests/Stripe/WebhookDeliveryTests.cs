using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shop.Emulator.Stripe;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly EmulatorHarness _emulator = new();

    public Task InitializeAsync() => _emulator.InitializeAsync();

    public Task DisposeAsync() => _emulator.DisposeAsync();

    [Fact]
    public async Task Successful_payment_sends_signed_events_that_stripe_net_accepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _emulator.Server.AddWebhookEndpoint(receiver.Url);
        var intent = await _emulator.CreatePaymentIntentAsync(orderId: "order-5");

        await _emulator.Client.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });
        var received = await Wait.ForAsync(() => receiver.Received.Count >= 3 ? receiver.Received.ToArray() : null);

        var events = received.Select(r => EventUtility.ConstructEvent(r.Body, r.Signature, _emulator.Server.WebhookSecret)).ToList();
        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], events.Select(e => e.Type));
        var succeeded = Assert.IsType<PaymentIntent>(events[2].Data.Object);
        Assert.Equal(intent.Id, succeeded.Id);
        Assert.Equal("order-5", succeeded.Metadata["order_id"]);
        Assert.Equal(StripeEmulatorServer.ApiVersion, events[2].ApiVersion);
        Assert.StartsWith("evt_", events[2].Id, StringComparison.Ordinal);
        Assert.StartsWith("req_", events[2].Request.Id, StringComparison.Ordinal);
        Assert.All(received, r => Assert.True(Wait.SignatureMatches(r.Signature, r.Body, _emulator.Server.WebhookSecret)));
    }

    [Fact]
    public async Task Endpoint_answering_500_is_retried_and_shows_two_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(500);
        _emulator.Server.AddWebhookEndpoint(receiver.Url);

        var intent = await _emulator.CreatePaymentIntentAsync();
        var delivery = await Wait.ForAsync(() => _emulator.Server.GetDeliveries()
            .SingleOrDefault(d => d.EventType == "payment_intent.created" && d.Status == WebhookDeliveryStatus.Succeeded));
        var json = await _emulator.Http.GetFromJsonAsync<JsonElement>(new Uri(_emulator.Server.BaseUrl, "deliveries.json"));

        Assert.Equal([500, 200], delivery.Attempts.Select(a => a.StatusCode));
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(receiver.Received.First().Body, receiver.Received.Last().Body);
        var listed = json.EnumerateArray().Single(d => d.GetProperty("eventId").GetString() == delivery.EventId);
        Assert.Equal("Succeeded", listed.GetProperty("status").GetString());
        Assert.Equal(2, listed.GetProperty("attempts").GetArrayLength());
        Assert.Contains(intent.Id, receiver.Received.Last().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_endpoint_fails_after_the_retry_schedule()
    {
        var closedPort = new Uri("http://127.0.0.1:9/webhooks"); // discard port: nothing listens on loopback
        _emulator.Server.AddWebhookEndpoint(closedPort);

        await _emulator.CreatePaymentIntentAsync();
        var delivery = await Wait.ForAsync(() => _emulator.Server.GetDeliveries().SingleOrDefault(d => d.Status == WebhookDeliveryStatus.Failed));

        Assert.Equal(1 + _emulator.Options.RetrySchedule.Length, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Null(a.StatusCode));
        Assert.All(delivery.Attempts, a => Assert.False(string.IsNullOrEmpty(a.Error)));
    }

    [Fact]
    public async Task Decline_and_refund_emit_stripe_event_types()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _emulator.Server.AddWebhookEndpoint(receiver.Url);
        var declined = await _emulator.CreatePaymentIntentAsync();
        var paid = await _emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
        });

        await Assert.ThrowsAsync<StripeException>(() =>
            _emulator.Client.V1.PaymentIntents.ConfirmAsync(declined.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));
        await _emulator.Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 400 });
        var types = await Wait.ForAsync(() => receiver.Received.Count >= 8
            ? receiver.Received.Select(r => EventUtility.ParseEvent(r.Body).Type).ToList()
            : null);

        Assert.Equal(
            ["payment_intent.created", "payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
             "charge.failed", "payment_intent.payment_failed", "charge.refunded", "refund.created"],
            types);
        var refunded = EventUtility.ParseEvent(receiver.Received.ElementAt(6).Body);
        Assert.Equal(400, Assert.IsType<Charge>(refunded.Data.Object).AmountRefunded);
        Assert.Equal(0L, ((Newtonsoft.Json.Linq.JObject)refunded.Data.PreviousAttributes)["amount_refunded"]!.ToObject<long>());
    }

    [Fact]
    public async Task Deliveries_page_html_encodes_and_lists_events()
    {
        await _emulator.CreatePaymentIntentAsync();

        var html = await _emulator.Http.GetStringAsync(_emulator.Server.DeliveriesUrl);

        Assert.Contains("payment_intent.created", html, StringComparison.Ordinal);
        Assert.Contains("no webhook endpoint registered", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }
}
