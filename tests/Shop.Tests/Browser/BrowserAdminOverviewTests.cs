using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shop.Web.Admin;
using Shop.Web.Orders;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>
/// The admin overview in a real browser after a real offline purchase; with SHOP_SCREENSHOTS set, photographed for the
/// README (docs/screenshots/admin-overview.png).
/// </summary>
public sealed class BrowserAdminOverviewTests : IAsyncLifetime
{
    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task The_overview_shows_todays_purchase_and_the_earlier_days_in_its_chart()
    {
        var now = DateTimeOffset.UtcNow;
        long[] earlier = [4800, 2400, 7200, 0, 3600, 9600, 2400, 0, 4800, 12000, 2400, 6000, 0, 3600];
        for (var day = 0; day < earlier.Length; day++)
        {
            if (earlier[day] > 0)
            {
                await _shop.App.AddOrderAsync($"customer{day}@example.com", now.AddDays(-1 - day), OrderStatus.Paid, amount: earlier[day]);
            }
        }

        await _shop.App.AddOrderAsync("refund@example.com", now.AddDays(-3), OrderStatus.PartiallyRefunded, amount: 4800, refunded: 1200);
        await Backoffice.AddOrdersNeedingAttentionAsync(_shop.App);
        var customer = await _shop.NewPageAsync();
        var admin = await _shop.NewPageAsync();
        await admin.SetViewportSizeAsync(1100, 900);

        await BrowserCheckout.RecordingFailuresAsync(customer, nameof(The_overview_shows_todays_purchase_and_the_earlier_days_in_its_chart) + "-customer", async () =>
        {
            await Storefront.BuyCanvasToteAsync(customer, "ada@example.com");
            await Storefront.PayAsync(customer, "4242 4242 4242 4242");
            await Expect(customer.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
        });

        await BrowserCheckout.RecordingFailuresAsync(admin, nameof(The_overview_shows_todays_purchase_and_the_earlier_days_in_its_chart), async () =>
        {
            await admin.GotoAsync("/admin");
            await admin.GetByLabel("Email").FillAsync(OfflineAdmin.Email);
            await admin.GetByLabel("Password").FillAsync(_shop.Shop.AdminPassword);
            await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));

            await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
            await Expect(admin.Locator("#paid-today-usd")).ToHaveTextAsync("$24.00");
            await Expect(admin.Locator("#needs-review")).ToHaveTextAsync("1 order needs review");
            await Expect(admin.Locator("#open-disputes")).ToHaveTextAsync("1 open dispute");
            await Expect(admin.Locator("#failed-emails")).ToHaveTextAsync("1 failed email");
            await Expect(admin.GetByRole(AriaRole.Img, new() { Name = "Paid per day in USD" })).ToBeVisibleAsync();
            // Bars only for days with sales: the 11 earlier days with some, and today.
            await Expect(admin.Locator("#chart-usd rect")).ToHaveCountAsync(12);
            // The earlier days' $588.00, today's $24.00, the partly refunded $48.00 and the $15.00 taken for the order in review.
            await Expect(admin.Locator("#paid-window-usd")).ToHaveTextAsync("$675.00");
            await Expect(admin.Locator("#refunds-window-usd")).ToHaveTextAsync("$12.00");

            await Screenshots.TakeAsync(admin, "admin-overview");
        });
    }
}
