using Microsoft.Playwright;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>
/// axe-core over every customer and admin page, in the states a person meets: no serious or critical violation. With
/// SHOP_SCREENSHOTS set, the catalog is photographed for the README (docs/screenshots/catalog.png).
/// </summary>
public sealed class AccessibilityTests : IAsyncLifetime
{
    private static readonly TimeSpan s_stripeTimeout = TimeSpan.FromSeconds(20);

    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task The_catalog_has_no_serious_accessibility_violations()
    {
        var page = await _shop.NewPageAsync(bypassCsp: true);

        await page.GotoAsync("/");

        await Axe.AssertNoSeriousViolationsAsync(page, "the catalog");
        await Screenshots.TakeAsync(page, "catalog");
    }

    [Fact]
    public async Task Every_page_of_a_purchase_with_a_declined_card_has_no_serious_accessibility_violations()
    {
        var page = await _shop.NewPageAsync(bypassCsp: true);

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(Every_page_of_a_purchase_with_a_declined_card_has_no_serious_accessibility_violations), async () =>
        {
            await page.GotoAsync("/cart");
            await Axe.AssertNoSeriousViolationsAsync(page, "the empty cart");

            await page.GotoAsync("/products/canvas-tote");
            await Axe.AssertNoSeriousViolationsAsync(page, "a product");
            await Storefront.AddCanvasToteAsync(page);
            await Axe.AssertNoSeriousViolationsAsync(page, "the cart with a product");

            await page.GotoAsync("/checkout");
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
            await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
            await Axe.AssertNoSeriousViolationsAsync(page, "the checkout with validation errors");

            await Storefront.CheckOutAsync(page, "alan@example.com");
            await Axe.AssertNoSeriousViolationsAsync(page, "the payment page");
            var orderId = Storefront.OrderIdIn(page);
            // As Stripe.js brings the customer back before the webhook.
            await page.GotoAsync($"/orders/{orderId}?redirect_status=succeeded");
            await Expect(page.Locator("#awaiting-webhook")).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "an order waiting for its payment");

            await page.GotoAsync($"/orders/{orderId}/pay");
            await Storefront.PayAsync(page, "4000 0000 0000 0002");
            await Expect(page.Locator("#payment-message")).ToContainTextAsync("declined");
            await Axe.AssertNoSeriousViolationsAsync(page, "the payment page after a decline");
            await Poll.UntilAsync(() => _shop.OrderStatusAsync(orderId), status => status == OrderStatus.PaymentFailed, status => $"the order is {status}", s_stripeTimeout);
            await page.GotoAsync($"/orders/{orderId}");
            await Expect(page.Locator("#payment-failed")).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "an order whose payment was declined");

            await page.GetByRole(AriaRole.Link, new() { Name = "Try again" }).ClickAsync();
            await Storefront.PayAsync(page, "4242 4242 4242 4242");
            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            await Axe.AssertNoSeriousViolationsAsync(page, "a paid order");
        });
    }

    [Fact]
    public async Task Finding_an_order_has_no_serious_accessibility_violations_in_any_answer()
    {
        var page = await _shop.NewPageAsync(bypassCsp: true);

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(Finding_an_order_has_no_serious_accessibility_violations_in_any_answer), async () =>
        {
            await page.GotoAsync("/orders/lookup");
            await Axe.AssertNoSeriousViolationsAsync(page, "the order lookup");

            await page.GetByRole(AriaRole.Button, new() { Name = "Find order" }).ClickAsync();
            await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
            await Axe.AssertNoSeriousViolationsAsync(page, "the order lookup with validation errors");

            await page.GetByLabel("Email").FillAsync("nobody@example.com");
            await page.GetByLabel("Order number").FillAsync("ord_000000000000000000000000");
            await page.GetByRole(AriaRole.Button, new() { Name = "Find order" }).ClickAsync();
            await Expect(page.Locator("#lookup-not-found")).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "the order lookup finding nothing");

            await page.GotoAsync("/orders/ord_000000000000000000000000");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "the page of an unknown order (the error page)");
        });
    }

    [Fact]
    public async Task Every_admin_page_has_no_serious_accessibility_violations()
    {
        var customer = await _shop.NewPageAsync();
        var admin = await _shop.NewPageAsync(bypassCsp: true);
        await Storefront.BuyCanvasToteAsync(customer, "joan@example.com");
        await Storefront.PayAsync(customer, "4242 4242 4242 4242");
        await Expect(customer.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
        var paidId = Storefront.OrderIdIn(customer);
        var attention = await Backoffice.AddOrdersNeedingAttentionAsync(_shop.App);

        await BrowserCheckout.RecordingFailuresAsync(admin, nameof(Every_admin_page_has_no_serious_accessibility_violations), async () =>
        {
            await admin.GotoAsync("/admin/login");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(admin.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
            await Axe.AssertNoSeriousViolationsAsync(admin, "the admin sign-in with errors");

            await Backoffice.OpenSignedInAsync(admin, "/admin", _shop.Shop.AdminPassword);
            await Expect(admin.Locator("#chart-usd")).ToBeVisibleAsync();
            await Expect(admin.Locator("#dispute-deadlines")).ToContainTextAsync(attention.DisputedOrderId);
            await admin.GetByText("Paid per day in USD as a table").ClickAsync();
            await Axe.AssertNoSeriousViolationsAsync(admin, "the overview with sales, a dispute and its daily table open");

            string[] pages =
            [
                "/admin/orders",
                "/admin/orders?Filter.Status=NeedsReview&Filter.Paid=true",
                $"/admin/orders/{attention.ReviewOrderId}",
                $"/admin/orders/{attention.DisputedOrderId}",
                "/admin/disputes",
                "/admin/configuration",
            ];
            foreach (var path in pages)
            {
                await admin.GotoAsync(path);
                await Axe.AssertNoSeriousViolationsAsync(admin, path);
            }

            await admin.GotoAsync($"/admin/orders/{paidId}");
            await admin.Locator("#refund").ClickAsync();
            await Expect(admin.Locator("#problem")).ToContainTextAsync("Tick the box");
            await Axe.AssertNoSeriousViolationsAsync(admin, "an order refused a refund without its confirmation");
            await admin.Locator("#refund-amount").FillAsync("24.00");
            await admin.Locator("#refund-confirm").CheckAsync();
            await admin.Locator("#refund").ClickAsync();
            await Expect(admin.Locator("#notice")).ToContainTextAsync("Stripe accepted the refund of $24.00");
            await Axe.AssertNoSeriousViolationsAsync(admin, "an order just refunded");
        });
    }
}
