using Microsoft.Playwright;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The README's pictures, taken by the browser tests only when SHOP_SCREENSHOTS names a folder:
/// <c>SHOP_SCREENSHOTS=$PWD/docs/screenshots</c> renews the committed ones.
/// </summary>
public static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SHOP_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
