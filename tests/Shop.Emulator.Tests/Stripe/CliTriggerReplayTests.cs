using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>
/// Each test sends the requests <c>stripe trigger &lt;event&gt;</c> (Stripe CLI 1.52.0) sends, in the CLI's own wire format
/// (<c>payment_method_types[]=card</c>, nested hashes), and checks the events the emulator then emits, through
/// <c>GET /v1/events</c>. A fresh emulator per test, so the events are exactly this trigger's.
/// </summary>
public sealed partial class CliTriggerReplayTests : IAsyncLifetime, IDisposable
{
    private const string ByCli = "description=%28created+by+Stripe+CLI%29";
    private readonly EmulatorHarness _emulator = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private StripeWire _wire = null!;

    public async Task InitializeAsync()
    {
        _emulator.Options.TimeProvider = _time;
        _emulator.Options.ProcessingDelay = TimeSpan.FromMinutes(3);
        await _emulator.InitializeAsync();
        _wire = new StripeWire(_emulator.Server.BaseUrl, "sk_test_emulator123456");
    }

    public Task DisposeAsync() => _emulator.DisposeAsync();

    public void Dispose() => _wire.Dispose();

    [Fact]
    public async Task Trigger_payment_intent_succeeded_with_shipping()
    {
        var results = await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"{ByCli}&payment_method=pm_card_visa&payment_method_types[]=card&shipping[name]=Jenny+Rosen&shipping[address][postal_code]=94103"
            + "&shipping[address][city]=San+Francisco&shipping[address][state]=CA&shipping[address][country]=US&shipping[address][line1]=510+Townsend+St"
            + "&amount=2000&confirm=true&currency=usd"));

        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], await _wire.EventTypesAsync());
        var shipping = results["payment_intent"].GetProperty("shipping");
        Assert.Equal("Jenny Rosen", shipping.GetProperty("name").GetString());
        Assert.Equal("510 Townsend St", shipping.GetProperty("address").GetProperty("line1").GetString());
        Assert.Equal(JsonValueKind.Null, shipping.GetProperty("address").GetProperty("line2").ValueKind);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined")] // payment_intent.payment_failed
    [InlineData("pm_card_visa_chargeDeclined")] // charge.failed
    public async Task Trigger_with_a_declined_card_fails_the_charge_and_the_payment_intent(string paymentMethod)
    {
        await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"amount=2000&confirm=true&currency=usd&{ByCli}&payment_method={paymentMethod}&payment_method_types[]=card", HttpStatusCode.PaymentRequired));

        Assert.Equal(["payment_intent.created", "charge.failed", "payment_intent.payment_failed"], await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_payment_intent_canceled()
    {
        var results = await ReplayAsync(
            new Step("payment_intent", "POST", "v1/payment_intents", $"amount=2000&currency=usd&{ByCli}"),
            new Step("payment_intent_canceled", "POST", "v1/payment_intents/{payment_intent:id}/cancel", "cancellation_reason=requested_by_customer"));

        Assert.Equal(["payment_intent.created", "payment_intent.canceled"], await _wire.EventTypesAsync());
        Assert.Equal("requested_by_customer", results["payment_intent_canceled"].GetProperty("cancellation_reason").GetString());
    }

    [Fact]
    public async Task Trigger_payment_intent_requires_action()
    {
        var results = await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"amount=2000&currency=usd&confirm=true&{ByCli}&payment_method=pm_card_authenticationRequired&payment_method_types[]=card"));

        Assert.Equal(["payment_intent.created", "payment_intent.requires_action"], await _wire.EventTypesAsync());
        Assert.Equal("redirect_to_url", results["payment_intent"].GetProperty("next_action").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Trigger_payment_intent_created()
    {
        await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents", $"amount=2000&currency=usd&{ByCli}&payment_method_types[]=card"));

        Assert.Equal(["payment_intent.created"], await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_payment_intent_amount_capturable_updated()
    {
        var results = await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"amount=2000&capture_method=manual&confirm=true&confirmation_method=manual&currency=usd&{ByCli}"
            + "&payment_method_types[]=card&payment_method=pm_card_visa&return_url=https%3A%2F%2Fstripe.com"));

        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated"], await _wire.EventTypesAsync());
        Assert.Equal("requires_capture", results["payment_intent"].GetProperty("status").GetString());
        Assert.Equal(2000, results["payment_intent"].GetProperty("amount_capturable").GetInt64());
    }

    [Fact]
    public async Task Trigger_payment_intent_processing_settles_after_the_processing_delay()
    {
        var results = await ReplayAsync(
            new Step("payment_method", "POST", "v1/payment_methods",
                "type=sepa_debit&sepa_debit[iban]=AT321904300235473204&billing_details[name]=Bob&billing_details[email]=bob%40example.com"),
            new Step("payment_intent", "POST", "v1/payment_intents",
                "payment_method={payment_method:id}&payment_method_types[]=sepa_debit&amount=1000&currency=eur&confirm=true"
                + "&mandate_data[customer_acceptance][accepted_at]=1590590577&mandate_data[customer_acceptance][type]=offline"));
        var processing = await _wire.EventTypesAsync();

        _time.Advance(TimeSpan.FromMinutes(3));
        var settled = await Wait.ForAsync(async () => (await _wire.EventTypesAsync()) is { Length: 5 } all ? all : null);

        Assert.Equal("processing", results["payment_intent"].GetProperty("status").GetString());
        Assert.Equal(["payment_intent.created", "charge.pending", "payment_intent.processing"], processing);
        Assert.Equal(["payment_intent.created", "charge.pending", "payment_intent.processing", "charge.succeeded", "payment_intent.succeeded"], settled);
    }

    [Fact]
    public async Task Trigger_charge_succeeded()
    {
        await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"amount=100&currency=usd&payment_method_types[]=card&payment_method=pm_card_visa&confirm=true&{ByCli}"));

        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_charge_captured()
    {
        var results = await ReplayAsync(
            new Step("payment_intent", "POST", "v1/payment_intents",
                $"amount=2000&capture_method=manual&confirm=true&currency=usd&{ByCli}&payment_method=pm_card_visa&payment_method_types[]=card"),
            new Step("capture", "POST", "v1/payment_intents/{payment_intent:id}/capture"));

        Assert.Equal(
            ["payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated", "charge.captured", "payment_intent.succeeded"],
            await _wire.EventTypesAsync());
        Assert.Equal(2000, results["capture"].GetProperty("amount_received").GetInt64());
    }

    [Fact]
    public async Task Trigger_charge_refunded()
    {
        await ReplayAsync(
            new Step("payment_intent", "POST", "v1/payment_intents", $"amount=100&currency=usd&payment_method_types[]=card&payment_method=pm_card_visa&confirm=true&{ByCli}"),
            new Step("refund", "POST", "v1/refunds", "payment_intent={payment_intent:id}"));

        Assert.Equal(
            ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.refunded", "refund.created"],
            await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_charge_refund_updated()
    {
        var results = await ReplayAsync(
            new Step("payment_intent", "POST", "v1/payment_intents", $"amount=100&currency=usd&payment_method_types[]=card&payment_method=pm_card_visa&confirm=true&{ByCli}"),
            new Step("refund", "POST", "v1/refunds", "payment_intent={payment_intent:id}"),
            new Step("updated_refund", "POST", "v1/refunds/{refund:id}", "metadata[order_id]=6735"));

        Assert.Equal(
            ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.refunded", "refund.created", "charge.refund.updated", "refund.updated"],
            await _wire.EventTypesAsync());
        Assert.Equal("6735", results["updated_refund"].GetProperty("metadata").GetProperty("order_id").GetString());
    }

    [Fact]
    public async Task Trigger_charge_dispute_created()
    {
        await ReplayAsync(new Step("payment_intent", "POST", "v1/payment_intents",
            $"amount=100&currency=usd&payment_method_types[]=card&payment_method=pm_card_createDisputeInquiry&confirm=true&{ByCli}"));

        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.dispute.created"], await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_charge_dispute_closed()
    {
        var results = await ReplayAsync(
            new Step("payment_intent", "POST", "v1/payment_intents",
                $"amount=100&currency=usd&payment_method_types[]=card&payment_method=pm_card_createDisputeInquiry&confirm=true&{ByCli}"),
            new Step("disputes_list", "GET", "v1/disputes", "payment_intent={payment_intent:id}"),
            new Step("disputes_close", "POST", "v1/disputes/{disputes_list:data.0.id}/close"));

        Assert.Equal(
            ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.dispute.created", "charge.dispute.closed"],
            await _wire.EventTypesAsync());
        Assert.Equal("warning_closed", results["disputes_close"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Trigger_customer_created()
    {
        await ReplayAsync(new Step("customer", "POST", "v1/customers", ByCli));

        Assert.Equal(["customer.created"], await _wire.EventTypesAsync());
    }

    [Fact]
    public async Task Trigger_payment_method_attached()
    {
        var results = await ReplayAsync(
            new Step("customer", "POST", "v1/customers", ByCli),
            new Step("payment_method_attach", "POST", "v1/payment_methods/pm_card_visa/attach", "customer={customer:id}"));

        Assert.Equal(["customer.created", "payment_method.attached"], await _wire.EventTypesAsync());
        Assert.Equal(results["customer"].GetProperty("id").GetString(), results["payment_method_attach"].GetProperty("customer").GetString());
    }

    /// <summary>Sends the steps in order; <c>{name:path}</c> in a path or form refers to an earlier step's answer, as the CLI's fixtures do.</summary>
    private async Task<Dictionary<string, JsonElement>> ReplayAsync(params Step[] steps)
    {
        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string Resolve(string text) => Reference().Replace(text, match =>
        {
            var value = results[match.Groups[1].Value];
            foreach (var part in match.Groups[2].Value.Split('.'))
            {
                value = int.TryParse(part, out var index) ? value[index] : value.GetProperty(part);
            }

            return value.GetString()!;
        });

        foreach (var step in steps)
        {
            var (status, json) = step.Method == "GET"
                ? await _wire.GetAsync(Resolve(step.Path), Resolve(step.Form))
                : await _wire.PostAsync(Resolve(step.Path), Resolve(step.Form));
            Assert.True(status == step.Expected, $"{step.Name}: {(int)status} {json}");
            results[step.Name] = status == HttpStatusCode.PaymentRequired ? json.GetProperty("error").GetProperty("payment_intent") : json;
        }

        return results;
    }

    [GeneratedRegex(@"\{(\w+):([\w.]+)\}")]
    private static partial Regex Reference();

    private sealed record Step(string Name, string Method, string Path, string Form = "", HttpStatusCode Expected = HttpStatusCode.OK);
}
