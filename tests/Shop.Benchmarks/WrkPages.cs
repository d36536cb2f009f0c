using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Shop.Benchmarks;

public static partial class WrkRunner
{
    /// <summary>GETs of one page at <paramref name="connections"/> connections; <paramref name="cookie"/> makes every request the same returning visitor.</summary>
    public static async Task<LoadResult> GetAsync(int port, string path, int connections, TimeSpan duration, string? cookie = null)
    {
        duration = Smoke.Duration(duration);
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string>
        {
            "-t", connections.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s", "--timeout", "10s",
            "-s", Path.Combine(AppContext.BaseDirectory, "Wrk", "get.lua"),
        };
        if (cookie is not null)
        {
            args.AddRange(["-H", "Cookie: " + cookie]);
        }

        args.Add($"http://127.0.0.1:{port}{path}");
        args.ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var summary = SummaryLine().Match(output);
        var latency = LatencyLine().Match(output);
        var failures = PageFailuresLine().Match(output);
        if (process.ExitCode != 0 || !summary.Success || !latency.Success || !failures.Success)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await stderr}\n{output}");
        }

        long Get(Match m, string name) => long.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        // Every non-2xx under the status of one of them: a page that fails fails alike.
        var nonSuccess = Get(failures, "failures") > 0 ? new Dictionary<int, int> { [(int)Get(failures, "status")] = (int)Get(failures, "failures") } : [];
        return new LoadResult(connections, Get(summary, "requests"), Get(summary, "duration") / 1e6,
            Get(latency, "p50") / 1000.0, Get(latency, "p95") / 1000.0, Get(latency, "p99") / 1000.0, Get(latency, "max") / 1000.0,
            nonSuccess, (int)(Get(summary, "connect") + Get(summary, "read") + Get(summary, "write") + Get(summary, "timeouts")), 0, []);
    }

    [GeneratedRegex(@"BENCH failures=(?<failures>\d+) last_status=(?<status>\d+)")]
    private static partial Regex PageFailuresLine();
}
