using System.Net;
using System.Text.RegularExpressions;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Orders;

/// <summary>The order page anyone holding its link (it travels in every email) can open: the customer's view, not the operator's.</summary>
public sealed partial class CustomerOrderPageTests : IDisposable
{
    private const string Note = "goodwill: customer waited three weeks";
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public CustomerOrderPageTests() =>
        _app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Stripe:RequestTimeout"] = "00:00:30" });

    [Fact]
    public async Task After_an_admin_refund_with_a_note_the_customer_page_shows_the_refund_and_no_admin_entry_note_or_stripe_id()
    {
        await _app.CreateAdminAsync();
        using var client = _app.CreateClient();
        var order = await _app.PlaceOrderAsync();
        await SendAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));
        _stripe.SetStatus(order.PaymentIntentId, "succeeded");
        using var admin = await _app.AdminSessionAsync();
        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=Refund",
            [new("refundRequestId", Guid.NewGuid().ToString()), new("amount", "4.00"), new("note", Note), new("confirm", "true")]);
        await SendAsync(client, StripeWebhooks.Event("charge.refunded", order.PaymentIntentId, order.Amount, change: e => e["data"]!["object"]!["amount_refunded"] = 400));

        var page = await client.GetStringAsync($"/orders/{order.PublicId}");

        Assert.Single(_stripe.RefundsMade);
        Assert.Contains("<strong id=\"order-status\">Partially refunded</strong>", page, StringComparison.Ordinal);
        Assert.Contains("Refunded: <strong>$4.00</strong>", page, StringComparison.Ordinal);
        Assert.Contains("Part of your payment was refunded to the card you paid with", page, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminUsers.Email, page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Note, page, StringComparison.Ordinal);
        Assert.DoesNotContain("refund requested", page, StringComparison.Ordinal);
        Assert.DoesNotContain("charge.refunded", page, StringComparison.Ordinal);
        Assert.Empty(StripeIds().Matches(page));
    }

    private static async Task SendAsync(HttpClient client, string json) =>
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(client, json));

    [GeneratedRegex(@"\b(pi|ch|re|evt|du|txn|req)_[A-Za-z0-9]{6,}")]
    private static partial Regex StripeIds();

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
