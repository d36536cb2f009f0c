using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;

namespace Shop.Tests.Payments.Webhooks;

public sealed class WebhookSignatureTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public WebhookSignatureTests() => _app = new ShopApp(_stripe, new Dictionary<string, string?>
    {
        ["Stripe:WebhookSecrets:1"] = StripeWebhooks.SecondSecret,
    });

    [Fact]
    public async Task A_correctly_signed_event_marks_the_order_paid()
    {
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, orderId: order.PublicId);

        using var response = await StripeWebhooks.PostAsync(client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"result\":\"applied\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Paid, await StatusOfAsync(order));
    }

    [Fact]
    public async Task An_event_signed_with_the_second_configured_secret_is_accepted()
    {
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        var body = Encoding.UTF8.GetBytes(StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        using var response = await StripeWebhooks.PostAsync(client, body, StripeWebhooks.Signature(body, StripeWebhooks.SecondSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OrderStatus.Paid, await StatusOfAsync(order));
    }

    [Fact]
    public async Task A_header_with_two_v1_signatures_is_accepted_when_one_matches()
    {
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        var body = Encoding.UTF8.GetBytes(StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var header = $"t={timestamp},v1={StripeWebhooks.V1(body, "whsec_some_other_endpoint", timestamp)},v1={StripeWebhooks.V1(body, StripeWebhooks.Secret, timestamp)}";

        using var response = await StripeWebhooks.PostAsync(client, body, header);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OrderStatus.Paid, await StatusOfAsync(order));
    }

    public static TheoryData<string> BadSignatures => new()
    {
        "wrong secret",
        "tampered body",
        "stale timestamp",
        "future timestamp",
        "missing header",
        "malformed header",
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task A_bad_signature_is_400_and_changes_nothing(string problem)
    {
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        var body = Encoding.UTF8.GetBytes(StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));
        var signature = problem switch
        {
            "wrong secret" => StripeWebhooks.Signature(body, "whsec_not_ours"),
            "stale timestamp" => StripeWebhooks.Signature(body, at: DateTimeOffset.UtcNow.AddSeconds(-301)),
            // Well past the tolerance: a 1 s margin would pass whenever the request is handled a second later.
            "future timestamp" => StripeWebhooks.Signature(body, at: DateTimeOffset.UtcNow.AddMinutes(10)),
            "missing header" => "",
            "malformed header" => "v1=abc,t=yesterday",
            _ => StripeWebhooks.Signature(body),
        };
        if (problem == "tampered body")
        {
            body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"amount\": " + order.Amount, "\"amount\": 1", StringComparison.Ordinal));
        }

        using var response = await StripeWebhooks.PostAsync(client, body, signature);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OrderStatus.AwaitingPayment, await StatusOfAsync(order));
        await using var db = _app.OpenDatabase();
        Assert.Empty(db.StripeEvents);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_json_is_400()
    {
        using var client = _app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, "{\"id\": \"evt_1\", \"object\": \"event\",");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signed_json_that_is_not_an_event_is_400()
    {
        using var client = _app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, "{\"hello\": \"world\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_utf8_is_400()
    {
        using var client = _app.CreateClient();
        byte[] body = [.. "{\"id\":\"evt_1\",\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        using var response = await StripeWebhooks.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_512_KiB_is_413()
    {
        using var client = _app.CreateClient();
        var body = new byte[512 * 1024 + 1];
        Array.Fill(body, (byte)' ');

        using var response = await StripeWebhooks.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<OrderStatus> StatusOfAsync(PlacedOrder order)
    {
        await using var db = _app.OpenDatabase();
        return (await db.Orders.SingleAsync(o => o.PublicId == order.PublicId)).Status;
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
