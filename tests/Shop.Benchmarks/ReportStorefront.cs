using System.Globalization;

namespace Shop.Benchmarks;

/// <summary>The storefront and checkout rows of issue 18.</summary>
public sealed partial class Report
{
    public void Storefront(string database, StorefrontRow row)
    {
        var clean = row.Shop.NonSuccess.Count == 0 && row.Shop.SocketErrors == 0 && row.Baseline.NonSuccess.Count == 0;
        var ratio = row.Shop.PerSecond / row.Baseline.PerSecond;
        AllChecksPassed &= clean;
        _summary.Add([$"Storefront `{row.Page}`, {row.Visitor}, {database}, {row.Shop.Connections} connections", PageRun(row.Shop),
            "minimal Razor Pages: " + PageRun(row.Baseline),
            $"{N(ratio, "N2")} × requests/s; {N(row.Shop.CpuPerRequest!.Value / row.Baseline.CpuPerRequest!.Value, "N1")} × CPU per request",
            "≥ 0.5 × requests/s", Met(ratio >= 0.5 && clean) + (clean ? "" : $" (errors: shop {row.Shop.Errors}, baseline {row.Baseline.Errors})")]);
    }

    /// <summary>The shop's CPU per checkout POST against issue 18's 3 ms, one row per instance.</summary>
    public void CheckoutCpu(string scenario, CheckoutResult result)
    {
        AllChecksPassed &= result.Failures == 0;
        _summary.Add([scenario, $"CPU {N(result.ShopCpuPerPostMs, "N2")} ms per POST; overhead p50 {N(result.OverheadP50Ms, "N2")} ms, p99 {N(result.OverheadP99Ms, "N2")} ms",
            $"total p50 {N(result.TotalP50Ms, "N2")}, p99 {N(result.TotalP99Ms, "N2")} ms; {result.Orders} orders, {result.Failures} failures; {WarmUp(result)}", "",
            "CPU ≤ 3 ms per POST", Met(result.ShopCpuPerPostMs <= 3 && result.Failures == 0)]);
    }

    private static string PageRun(LoadResult run) => string.Create(CultureInfo.InvariantCulture,
        $"{N(run.PerSecond)}/s, p50 {N(run.P50Ms, "N2")} ms, p99 {N(run.P99Ms, "N2")} ms, CPU {N(run.CpuPerRequest?.TotalMicroseconds ?? double.NaN)} µs/request");
}
