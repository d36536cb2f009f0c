using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>
/// A purchase and a refund on a 375 px wide phone: no page scrolls sideways (wide tables scroll in their own box) and
/// no request of any page goes unanswered (the favicon among them). With SHOP_SCREENSHOTS set, the payment page is
/// photographed for the README (docs/screenshots/payment-phone.png).
/// </summary>
public sealed class PhoneTests : IAsyncLifetime
{
    private readonly List<string> _notFound = [];
    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task A_purchase_on_a_phone_never_scrolls_the_page_sideways()
    {
        var page = await NewPhonePageAsync();

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(A_purchase_on_a_phone_never_scrolls_the_page_sideways), async () =>
        {
            await page.GotoAsync("/");
            await Phone.AssertNoSidewaysScrollAsync(page, "the catalog");
            await page.GotoAsync("/cart");
            await Phone.AssertNoSidewaysScrollAsync(page, "the empty cart");
            await page.GotoAsync("/products/canvas-tote");
            await Phone.AssertNoSidewaysScrollAsync(page, "a product");

            await Storefront.AddCanvasToteAsync(page);
            await Phone.AssertNoSidewaysScrollAsync(page, "the cart with a product");
            await page.GotoAsync("/checkout");
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
            await Phone.AssertNoSidewaysScrollAsync(page, "the checkout with validation errors");
            await Storefront.CheckOutAsync(page, "hedy@example.com");
            await Phone.AssertNoSidewaysScrollAsync(page, "the payment page");
            await Screenshots.TakeAsync(page, "payment-phone");
            await Storefront.PayAsync(page, "4242 4242 4242 4242");

            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            await Phone.AssertNoSidewaysScrollAsync(page, "the paid order");
            await page.GotoAsync("/orders/lookup");
            await page.GetByRole(AriaRole.Button, new() { Name = "Find order" }).ClickAsync();
            await Phone.AssertNoSidewaysScrollAsync(page, "the order lookup with validation errors");
            Assert.Empty(_notFound);
            Assert.Equal(200, (await page.APIRequest.GetAsync("/favicon.ico")).Status);

            // Last: finding nothing is a 404 by design.
            await page.GetByLabel("Email").FillAsync("nobody@example.com");
            await page.GetByLabel("Order number").FillAsync("ord_000000000000000000000000");
            await page.GetByRole(AriaRole.Button, new() { Name = "Find order" }).ClickAsync();
            await Expect(page.Locator("#lookup-not-found")).ToBeVisibleAsync();
            await Phone.AssertNoSidewaysScrollAsync(page, "the order lookup finding nothing");
        });
    }

    [Fact]
    public async Task An_admin_refunds_on_a_phone_and_no_admin_page_scrolls_sideways()
    {
        var customer = await _shop.NewPageAsync();
        var admin = await NewPhonePageAsync();
        await Storefront.BuyCanvasToteAsync(customer, "katherine@example.com");
        await Storefront.PayAsync(customer, "4242 4242 4242 4242");
        await Expect(customer.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
        var orderId = Storefront.OrderIdIn(customer);
        var attention = await Backoffice.AddOrdersNeedingAttentionAsync(_shop.App);

        await BrowserCheckout.RecordingFailuresAsync(admin, nameof(An_admin_refunds_on_a_phone_and_no_admin_page_scrolls_sideways), async () =>
        {
            await admin.GotoAsync("/admin/login");
            await Phone.AssertNoSidewaysScrollAsync(admin, "the admin sign-in");
            await Backoffice.OpenSignedInAsync(admin, "/admin/orders", _shop.Shop.AdminPassword);
            await Phone.AssertNoSidewaysScrollAsync(admin, "the order list");
            await admin.GetByRole(AriaRole.Link, new() { Name = orderId }).ClickAsync();
            await Phone.AssertNoSidewaysScrollAsync(admin, "the order");

            await admin.Locator("#refund-amount").FillAsync("24.00");
            await admin.Locator("#refund-confirm").CheckAsync();
            await admin.Locator("#refund").ClickAsync();

            await Expect(admin.Locator("#notice")).ToContainTextAsync("Stripe accepted the refund of $24.00");
            await Phone.AssertNoSidewaysScrollAsync(admin, "the order after the refund");
            string[] otherPages =
            [
                "/admin",
                "/admin/orders?Filter.Status=NeedsReview",
                $"/admin/orders/{attention.ReviewOrderId}",
                $"/admin/orders/{attention.DisputedOrderId}",
                "/admin/disputes",
                "/admin/configuration",
            ];
            foreach (var path in otherPages)
            {
                await admin.GotoAsync(path);
                await Phone.AssertNoSidewaysScrollAsync(admin, path);
            }

            Assert.Empty(_notFound);
        });
    }

    private async Task<IPage> NewPhonePageAsync()
    {
        var page = await _shop.NewPageAsync(Chromium.Phone);
        page.Response += (_, response) =>
        {
            if (response.Status == 404)
            {
                _notFound.Add(response.Url);
            }
        };
        return page;
    }
}
