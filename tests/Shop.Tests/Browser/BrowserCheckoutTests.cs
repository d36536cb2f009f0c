using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>A person buying in a real browser against the local Stripe emulator, reading the emails in the inbox.</summary>
public sealed class BrowserCheckoutTests : IAsyncLifetime
{
    private static readonly TimeSpan s_emailTimeout = TimeSpan.FromSeconds(20);

    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Paying_with_4242_shows_paid_and_sends_the_receipt()
    {
        var page = await _shop.NewPageAsync();

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(Paying_with_4242_shows_paid_and_sends_the_receipt), async () =>
        {
            await BuyCanvasToteAsync(page, "grace@example.com");
            await PayAsync(page, "4242 4242 4242 4242");

            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            var receipt = await _shop.Inbox.WaitForMessageAsync(m => m.To.Contains("grace@example.com"), s_emailTimeout);
            Assert.Contains("receipt", receipt.Subject, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("$24.00", receipt.Text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_declined_card_is_shown_emailed_and_a_second_card_succeeds()
    {
        var page = await _shop.NewPageAsync();

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(A_declined_card_is_shown_emailed_and_a_second_card_succeeds), async () =>
        {
            await BuyCanvasToteAsync(page, "linus@example.com");
            await PayAsync(page, "4000 0000 0000 0002");

            await Expect(page.Locator("#payment-message")).ToContainTextAsync("declined");
            var decline = await _shop.Inbox.WaitForMessageAsync(m => m.To.Contains("linus@example.com"), s_emailTimeout);
            Assert.Contains("did not go through", decline.Subject, StringComparison.OrdinalIgnoreCase);

            await page.Locator("input[name=cardnumber]").FillAsync("");
            await PayAsync(page, "4242 4242 4242 4242");

            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            await _shop.Inbox.WaitForMessageAsync(m => m.To.Contains("linus@example.com") && m.Subject.Contains("receipt", StringComparison.OrdinalIgnoreCase), s_emailTimeout);
        });
    }

    [Fact]
    public async Task A_3d_secure_card_completes_the_challenge_and_is_paid()
    {
        var page = await _shop.NewPageAsync();

        await BrowserCheckout.RecordingFailuresAsync(page, nameof(A_3d_secure_card_completes_the_challenge_and_is_paid), async () =>
        {
            await BuyCanvasToteAsync(page, "barbara@example.com");
            await PayAsync(page, "4000 0025 0000 3155");

            await page.GetByRole(AriaRole.Button, new() { Name = "Complete authentication" }).ClickAsync();

            await Expect(page).ToHaveURLAsync(new Regex("/orders/ord_[0-9a-f]+"));
            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
        });
    }

    private static async Task BuyCanvasToteAsync(IPage page, string email)
    {
        await Storefront.BuyCanvasToteAsync(page, email);
        await Expect(page.Locator("#offline-mode-banner")).ToContainTextAsync("Offline mode: local Stripe emulator");
    }

    private static Task PayAsync(IPage page, string cardNumber) => Storefront.PayAsync(page, cardNumber);
}
