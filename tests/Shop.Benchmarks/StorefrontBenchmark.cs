using System.Diagnostics;
using System.Net;
using Shop.Benchmarks.StorefrontBaseline;

namespace Shop.Benchmarks;

/// <summary>One page for one kind of visitor: the baseline's run and the shop's, each with its CPU per request.</summary>
public sealed record StorefrontRow(string Page, string Visitor, LoadResult Baseline, LoadResult Shop);

/// <summary>
/// The catalog page and a product page, on the shop and on the minimal Razor Pages baseline, for a new visitor (no
/// cookies: every response sets a new antiforgery cookie, so nothing can come from the output cache) and for a
/// returning one (the cookies of a first visit on every request).
/// </summary>
public static class StorefrontBenchmark
{
    private const int Connections = 16;
    private static readonly string[] s_pages = ["/", "/products/canvas-tote"];

    public static async Task<List<StorefrontRow>> RunAsync(StorefrontBaselineServer baseline, ShopProcess shop, TimeSpan duration)
    {
        // Tier-1 JIT of both page paths first, as for every other scenario.
        foreach (var port in new[] { baseline.Port, shop.Port })
        {
            foreach (var page in s_pages)
            {
                await WrkRunner.GetAsync(port, page, Connections, TimeSpan.FromSeconds(3));
                await WrkRunner.GetAsync(port, page, Connections, TimeSpan.FromSeconds(1), await FirstVisitCookiesAsync(port, page));
            }
        }

        // The baseline runs in this process: its CPU is this process's while wrk (another process) drives it.
        var rows = new List<StorefrontRow>();
        foreach (var page in s_pages)
        {
            foreach (var returning in new[] { false, true })
            {
                var baselineRun = await MeasureAsync(() => Process.GetCurrentProcess().TotalProcessorTime, baseline.Port, page, returning, duration);
                var shopRun = await MeasureAsync(shop.CpuTime, shop.Port, page, returning, duration);
                rows.Add(new StorefrontRow(page, returning ? "returning visitor" : "new visitor", baselineRun, shopRun));
            }
        }

        return rows;
    }

    private static async Task<LoadResult> MeasureAsync(Func<TimeSpan> cpu, int port, string page, bool returning, TimeSpan duration)
    {
        var cookie = returning ? await FirstVisitCookiesAsync(port, page) : null;
        var before = cpu();
        var run = await WrkRunner.GetAsync(port, page, Connections, duration, cookie);
        return run with { CpuPerRequest = (cpu() - before) / Math.Max(1, run.Requests) };
    }

    /// <summary>The cookies a browser holds after its first visit (the antiforgery cookie), as a Cookie header.</summary>
    private static async Task<string> FirstVisitCookiesAsync(int port, string page)
    {
        using var handler = new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler);
        var uri = new Uri($"http://127.0.0.1:{port}{page}");
        using var response = await client.GetAsync(uri);
        response.EnsureSuccessStatusCode();
        var cookies = handler.CookieContainer.GetCookieHeader(uri);
        return cookies.Length > 0 ? cookies : throw new InvalidOperationException($"{uri} set no cookie: a returning visitor would be a new one.");
    }
}
