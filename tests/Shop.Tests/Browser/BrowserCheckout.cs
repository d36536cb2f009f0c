using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Shop.Emulator.Inbox;
using Shop.Tests.Infrastructure;
using Shop.Web.OfflineMode;

namespace Shop.Tests.Browser;

/// <summary>
/// The shop on a real port in offline mode (its Stripe emulator and inbox in-process, webhooks over HTTP, emails over
/// SMTP), and Debian's Chromium in front of it.
/// </summary>
public sealed class BrowserCheckout : IAsyncDisposable
{
    private readonly ShopApp _app;
    private readonly Chromium _chromium;

    private BrowserCheckout(ShopApp app, Uri shopUrl, Chromium chromium)
    {
        _app = app;
        ShopUrl = shopUrl;
        _chromium = chromium;
    }

    public Uri ShopUrl { get; }

    public DevInbox Inbox => _app.Services.GetRequiredService<LocalEmulators>().Inbox;

    public ShopApp App => _app;

    public static async Task<BrowserCheckout> StartAsync()
    {
        var app = new ShopApp(settings: new Dictionary<string, string?>
        {
            ["OfflineMode:Enabled"] = "true",
            ["OfflineMode:StripePort"] = "0",
            ["OfflineMode:SmtpPort"] = "0",
            ["OfflineMode:InboxPort"] = "0",
        });
        // An explicit loopback listener on port 0: UseKestrel(0) fell back to Kestrel's default http://localhost:5000,
        // which collides with a shop a developer (or another test run) already has there.
        app.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BrowserCheckout(app, new Uri(address), await Chromium.LaunchAsync());
    }

    public Task<IPage> NewPageAsync() => _chromium.NewPageAsync(ShopUrl);

    /// <summary>Runs a browser scenario; on failure keeps a screenshot and the page's HTML under the test output.</summary>
    public static Task RecordingFailuresAsync(IPage page, string name, Func<Task> scenario) => Chromium.RecordingFailuresAsync(page, name, scenario);

    public async ValueTask DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }
}
