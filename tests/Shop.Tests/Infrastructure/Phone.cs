using Microsoft.Playwright;

namespace Shop.Tests.Infrastructure;

public static class Phone
{
    /// <summary>The page fits the window's width: only boxes of their own (wide tables) may scroll sideways.</summary>
    public static async Task AssertNoSidewaysScrollAsync(IPage page, string state)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scrollWidth, clientWidth) = (widths[0], widths[1]);

        Assert.True(scrollWidth <= clientWidth, $"{state} ({page.Url}) is {scrollWidth} px wide in a {clientWidth} px window");
    }
}
