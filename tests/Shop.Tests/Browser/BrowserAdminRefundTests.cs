using Microsoft.Playwright;
using Shop.Emulator.Stripe;
using Shop.Tests.Infrastructure;
using Shop.Web.Admin;
using Shop.Web.Orders;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>An admin in a real browser refunding part of a customer's order in offline mode: the emulator's webhook, the
/// order, the customer's email and the timeline all follow.</summary>
public sealed class BrowserAdminRefundTests : IAsyncLifetime
{
    private static readonly TimeSpan s_stripeTimeout = TimeSpan.FromSeconds(20);
    private const string Customer = "ada@example.com";

    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task An_admin_refunds_part_of_a_paid_order_and_the_order_the_email_and_the_timeline_follow_stripes_webhook()
    {
        var customer = await _shop.NewPageAsync();
        var admin = await _shop.NewPageAsync();
        var orderId = "";

        await BrowserCheckout.RecordingFailuresAsync(customer, nameof(An_admin_refunds_part_of_a_paid_order_and_the_order_the_email_and_the_timeline_follow_stripes_webhook) + "-customer", async () =>
        {
            await Storefront.BuyCanvasToteAsync(customer, Customer);
            await Storefront.PayAsync(customer, "4242 4242 4242 4242");
            await Expect(customer.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            orderId = Storefront.OrderIdIn(customer);
        });

        await BrowserCheckout.RecordingFailuresAsync(admin, nameof(An_admin_refunds_part_of_a_paid_order_and_the_order_the_email_and_the_timeline_follow_stripes_webhook), async () =>
        {
            await Backoffice.OpenSignedInAsync(admin, $"/admin/orders/{orderId}", _shop.Shop.AdminPassword);
            await Expect(admin.Locator("#order-status")).ToHaveTextAsync("Paid");

            await admin.Locator("#refund-amount").FillAsync("10.00");
            await admin.Locator("#refund-confirm").CheckAsync();
            await admin.Locator("#refund").ClickAsync();

            await Expect(admin.Locator("#notice")).ToContainTextAsync("Stripe accepted the refund of $10.00");
            // The order changes when Stripe's charge.refunded comes back by webhook, not when the button is pressed.
            await Poll.UntilAsync(() => _shop.OrderStatusAsync(orderId), status => status == OrderStatus.PartiallyRefunded, status => $"the order is {status}", s_stripeTimeout);
            await admin.ReloadAsync();
            await Expect(admin.Locator("#order-status")).ToHaveTextAsync("PartiallyRefunded");
            await Expect(admin.Locator("#order-refunded")).ToHaveTextAsync("$10.00");
            await Expect(admin.Locator("#timeline")).ToContainTextAsync($"{OfflineAdmin.Email} asked Stripe to refund $10.00");
            await Expect(admin.Locator("#timeline")).ToContainTextAsync($"Stripe accepted the refund of $10.00 asked by {OfflineAdmin.Email}");
            await Expect(admin.Locator("#timeline li", new() { HasText = "charge.refunded" })).ToContainTextAsync("webhook");
        });

        var refunded = Assert.Single(_shop.Shop.Emulator.GetDeliveries(), d => d.EventType == "charge.refunded");
        Assert.Equal(WebhookDeliveryStatus.Succeeded, refunded.Status);
        var email = await _shop.Inbox.WaitForMessageAsync(m => m.To.Contains(Customer) && m.Subject.StartsWith("Refund", StringComparison.Ordinal), s_stripeTimeout);
        Assert.Equal($"Refund for order {orderId}", email.Subject);
        Assert.Contains("In total $10.00 of $24.00 has now been refunded", email.Text, StringComparison.Ordinal);
    }
}
