using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>axe-core over every customer and admin page, in the states a person meets: no serious or critical violation.</summary>
public sealed partial class AccessibilityTests : IAsyncLifetime
{
    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task The_catalog_has_no_serious_accessibility_violations()
    {
        var page = await _shop.NewPageAsync(bypassCsp: true);

        await page.GotoAsync("/");

        await Axe.AssertNoSeriousViolationsAsync(page, "the catalog");
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
            await Storefront.PayAsync(page, "4000 0000 0000 0002");
            await Expect(page.Locator("#payment-message")).ToContainTextAsync("declined");
            await Axe.AssertNoSeriousViolationsAsync(page, "the payment page after a decline");

            var orderId = OrderInUrl().Match(page.Url).Groups[1].Value;
            await page.GotoAsync($"/orders/{orderId}?redirect_status=processing");
            await Axe.AssertNoSeriousViolationsAsync(page, "an order waiting for its payment");

            await page.GotoAsync($"/orders/{orderId}/pay");
            await Storefront.PayAsync(page, "4242 4242 4242 4242");
            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            await Axe.AssertNoSeriousViolationsAsync(page, "a paid order");
        });
    }

    [Fact]
    public async Task Every_admin_page_has_no_serious_accessibility_violations()
    {
        var customer = await _shop.NewPageAsync();
        var admin = await _shop.NewPageAsync(bypassCsp: true);
        await Storefront.BuyCanvasToteAsync(customer, "joan@example.com");
        var orderId = OrderInUrl().Match(customer.Url).Groups[1].Value;

        await BrowserCheckout.RecordingFailuresAsync(admin, nameof(Every_admin_page_has_no_serious_accessibility_violations), async () =>
        {
            await admin.GotoAsync("/admin/login");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(admin.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
            await Axe.AssertNoSeriousViolationsAsync(admin, "the admin sign-in with errors");

            await Backoffice.OpenSignedInAsync(admin, "/admin", _shop.Shop.AdminPassword);
            await Axe.AssertNoSeriousViolationsAsync(admin, "the admin home");

            foreach (var path in new[] { "/admin/orders", $"/admin/orders/{orderId}", "/admin/disputes", "/admin/configuration" })
            {
                await admin.GotoAsync(path);
                await Axe.AssertNoSeriousViolationsAsync(admin, path);
            }
        });
    }

    [GeneratedRegex("/orders/(ord_[0-9a-f]+)")]
    private static partial Regex OrderInUrl();
}
