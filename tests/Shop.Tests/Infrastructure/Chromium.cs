using Microsoft.Playwright;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright. Playwright cannot download a browser here; scripts/test.sh installs it.
/// SHOP_CHROMIUM points at another Chromium binary.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>An iPhone-sized viewport: the narrowest the shop's pages must fit without scrolling sideways.</summary>
    public static readonly ViewportSize Phone = new() { Width = 375, Height = 812 };

    private static readonly string s_executablePath = Environment.GetEnvironmentVariable("SHOP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(s_executablePath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {s_executablePath}: run scripts/test.sh, apt-get install -y chromium, or set SHOP_CHROMIUM to a Chromium binary.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = s_executablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A page in a fresh context (its own cookies), with relative URLs resolved against the shop.</summary>
    /// <param name="viewport">The window's size; Playwright's default 1280 × 720 when not given.</param>
    /// <param name="bypassCsp">Lets axe inject its script, which the shop's Content-Security-Policy forbids; only for scans.</param>
    public async Task<IPage> NewPageAsync(Uri shopUrl, ViewportSize? viewport = null, bool bypassCsp = false)
    {
        var options = new BrowserNewContextOptions { BaseURL = shopUrl.ToString(), BypassCSP = bypassCsp };
        if (viewport is not null)
        {
            options.ViewportSize = viewport;
        }

        var context = await _browser.NewContextAsync(options);
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
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
