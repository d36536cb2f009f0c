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
/// SMTP), and Debian's Chromium driven by Playwright. Playwright cannot download a browser here; scripts/test.sh installs it.
/// </summary>
public sealed class BrowserCheckout : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private readonly ShopApp _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private BrowserCheckout(ShopApp app) => _app = app;

    public Uri ShopUrl { get; private set; } = null!;

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
        // Port 0 through Listen: UseKestrel(0) leaves the port unset, and Kestrel then binds 5000 (busy if anything else uses it).
        app.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        var checkout = new BrowserCheckout(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        checkout.ShopUrl = new Uri(address);

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {ChromiumPath}: run scripts/test.sh, or apt-get install -y chromium.");
        }

        checkout._playwright = await Playwright.CreateAsync();
        checkout._browser = await checkout._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return checkout;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = ShopUrl.ToString() });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Runs a browser scenario; on failure keeps a screenshot and the page's HTML under the test output.</summary>
    public static async Task RecordingFailuresAsync(IPage page, string name, Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch (Exception)
        {
            // Only records the evidence; the failure itself goes on to fail the test.
            var folder = Path.Combine(AppContext.BaseDirectory, "browser-failures");
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
            await File.WriteAllTextAsync(Path.Combine(folder, name + ".html"), await page.ContentAsync());
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _app.DisposeAsync();
    }
}
