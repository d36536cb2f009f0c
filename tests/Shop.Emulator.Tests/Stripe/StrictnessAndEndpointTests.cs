using System.Net;
using System.Text.Json;
using Shop.Emulator.Stripe;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class StrictnessAndEndpointTests : IAsyncLifetime, IDisposable
{
    private readonly EmulatorHarness _emulator = new();
    private StripeWire _wire = null!;

    public async Task InitializeAsync()
    {
        await _emulator.InitializeAsync();
        _wire = new StripeWire(_emulator.Server.BaseUrl);
    }

    public Task DisposeAsync() => _emulator.DisposeAsync();

    public void Dispose() => _wire.Dispose();

    [Theory]
    [InlineData("amount=2000&currency=usd&shipping[name]=J&shipping[address][line1]=x&shipping[colour]=red", "shipping[colour]", "parameter_unknown")]
    [InlineData("amount=twenty&currency=usd", "amount", "parameter_invalid_integer")]
    [InlineData("amount=2000&currency=usd&confirm=yes", "confirm", "parameter_invalid_boolean")]
    [InlineData("amount=2000&currency=usd&capture_method=later", "capture_method", "parameter_invalid_string")]
    [InlineData("amount=2000&currency=usd&shipping=plain", "shipping", "parameter_invalid_hash")]
    [InlineData("currency=usd", "amount", "parameter_missing")]
    [InlineData("amount=2000&currency=usd&shipping[address][line1]=x", "shipping[name]", "parameter_missing")]
    public async Task Invalid_parameters_get_stripes_error_naming_the_parameter(string form, string param, string code)
    {
        var (status, json) = await _wire.PostAsync("v1/payment_intents", form);

        var error = json.GetProperty("error");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Events_carry_the_requests_stripe_version_while_the_hosts_endpoint_gets_its_pinned_version()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _emulator.Server.AddWebhookEndpoint(receiver.Url);
        using var oldClient = new StripeWire(_emulator.Server.BaseUrl) { StripeVersion = "2024-06-20" };

        var customer = await oldClient.OkAsync(HttpMethod.Post, "v1/customers", "email=old%40example.com");
        var events = await _wire.OkAsync(HttpMethod.Get, "v1/events", "type=customer.created");
        var delivered = await Wait.ForAsync(() => receiver.Received.TryPeek(out var r) ? r.Body : null);
        var signature = receiver.Received.First().Signature;

        Assert.Equal("2024-06-20", events.GetProperty("data")[0].GetProperty("api_version").GetString());
        Assert.Equal(customer.GetProperty("id").GetString(), events.GetProperty("data")[0].GetProperty("data").GetProperty("object").GetProperty("id").GetString());
        var shopEvent = EventUtility.ConstructEvent(delivered, signature, _emulator.Server.WebhookSecret);
        Assert.Equal(StripeEmulatorServer.ApiVersion, shopEvent.ApiVersion);
    }

    [Fact]
    public async Task Endpoint_created_through_the_api_gets_only_its_events_signed_with_its_own_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await _emulator.Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = receiver.Url.ToString(),
            EnabledEvents = ["payment_intent.succeeded", "charge.dispute.*"],
        });

        await _emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_createDispute", Confirm = true });
        // The emulator records a delivery once the endpoint's answer is back, a moment after the receiver has the body.
        var deliveries = await Wait.ForAsync(() =>
            _emulator.Server.GetDeliveries().Where(d => d.Endpoint == receiver.Url && d.Status == WebhookDeliveryStatus.Succeeded).ToList() is { Count: 3 } done ? done : null);
        var received = receiver.Received.ToArray();
        var undelivered = await _emulator.Client.V1.Events.ListAsync(new EventListOptions { DeliverySuccess = false });

        var types = received.Select(r => EventUtility.ConstructEvent(r.Body, r.Signature, endpoint.Secret, throwOnApiVersionMismatch: false).Type).ToList();
        Assert.Equal(["payment_intent.succeeded", "charge.dispute.created", "charge.dispute.funds_withdrawn"], types);
        Assert.All(received, r => Assert.False(Wait.SignatureMatches(r.Signature, r.Body, _emulator.Server.WebhookSecret)));
        Assert.Empty(undelivered.Data);
        Assert.Equal(["payment_intent.succeeded", "charge.dispute.created", "charge.dispute.funds_withdrawn"], deliveries.Select(d => d.EventType).Reverse());
    }

    [Fact]
    public async Task Events_page_with_cursors_in_both_directions()
    {
        for (var i = 0; i < 5; i++)
        {
            await _wire.OkAsync(HttpMethod.Post, "v1/customers", $"name=c{i}");
        }

        var first = await _wire.OkAsync(HttpMethod.Get, "v1/events", "limit=2");
        var second = await _wire.OkAsync(HttpMethod.Get, "v1/events", $"limit=2&starting_after={Ids(first)[^1]}");
        var back = await _wire.OkAsync(HttpMethod.Get, "v1/events", $"limit=2&ending_before={Ids(second)[0]}");

        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(Ids(first), Ids(back));
        Assert.Empty(Ids(first).Intersect(Ids(second)));
    }

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
}
