using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Shop.Tests.Infrastructure;

/// <summary>axe-core run in the page as it is now. The page's context needs BypassCSP: the shop's CSP blocks axe's script.</summary>
public static class Axe
{
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string state)
    {
        var result = await page.RunAxe();

        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe on {state} ({page.Url}):\n" + string.Join("\n", serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}
