using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Shop.Emulator.Inbox;
using Shop.Web.Orders;

namespace Shop.Tests.Infrastructure;

/// <summary>The shop in offline mode on a real port (<see cref="OfflineShop"/>), and Debian's Chromium in front of it.</summary>
public sealed class BrowserCheckout : IAsyncDisposable
{
    private readonly OfflineShop _shop;
    private readonly Chromium _chromium;

    private BrowserCheckout(OfflineShop shop, Chromium chromium)
    {
        _shop = shop;
        _chromium = chromium;
    }

    public Uri ShopUrl => _shop.Url;

    public DevInbox Inbox => _shop.Inbox;

    public OfflineShop Shop => _shop;

    public ShopApp App => _shop.App;

    public static async Task<BrowserCheckout> StartAsync() => new(OfflineShop.Start(), await Chromium.LaunchAsync());

    public Task<IPage> NewPageAsync(ViewportSize? viewport = null, bool bypassCsp = false) => _chromium.NewPageAsync(ShopUrl, viewport, bypassCsp);

    /// <summary>The order's status as the shop's database holds it, for waiting on Stripe's webhooks.</summary>
    public async Task<OrderStatus> OrderStatusAsync(string orderId)
    {
        await using var db = App.OpenDatabase();
        return await db.Orders.Where(o => o.PublicId == orderId).Select(o => o.Status).SingleAsync();
    }

    /// <summary>Runs a browser scenario; on failure keeps a screenshot and the page's HTML under the test output.</summary>
    public static Task RecordingFailuresAsync(IPage page, string name, Func<Task> scenario) => Chromium.RecordingFailuresAsync(page, name, scenario);

    public async ValueTask DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _shop.DisposeAsync();
    }
}
