using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>The order page waiting for Stripe's webhook updates in place and tells screen readers, without reloading itself.</summary>
public sealed class OrderPageWaitingTests : IAsyncLifetime
{
    private BrowserCheckout _shop = null!;

    public async Task InitializeAsync() => _shop = await BrowserCheckout.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task An_order_page_waiting_for_its_payment_shows_paid_in_a_polite_live_region_without_reloading()
    {
        var buyer = await _shop.NewPageAsync();
        var waiting = await _shop.NewPageAsync();
        await Storefront.BuyCanvasToteAsync(buyer, "rosalind@example.com");
        var orderId = Storefront.OrderIdIn(buyer);

        await BrowserCheckout.RecordingFailuresAsync(waiting, nameof(An_order_page_waiting_for_its_payment_shows_paid_in_a_polite_live_region_without_reloading), async () =>
        {
            // As Stripe.js brings the customer back before the webhook: the order is still open for payment.
            await waiting.GotoAsync($"/orders/{orderId}?redirect_status=succeeded");
            await Expect(waiting.Locator("#awaiting-webhook")).ToBeVisibleAsync();
            await Expect(waiting.Locator("meta[http-equiv=refresh]")).ToHaveCountAsync(0);
            await Expect(waiting.Locator("#order-live")).ToHaveAttributeAsync("role", "status");
            await waiting.EvaluateAsync("() => window.notReloaded = true");

            await Storefront.PayAsync(buyer, "4242 4242 4242 4242");

            await Expect(waiting.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
            await Expect(waiting.Locator("#order-live")).ToHaveTextAsync("Order status: Paid");
            await Expect(waiting.Locator("#awaiting-webhook")).ToHaveCountAsync(0);
            Assert.True(await waiting.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded itself");
        });
    }
}
