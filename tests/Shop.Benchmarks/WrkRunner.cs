using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Shop.Benchmarks;

/// <summary>What one wrk run saw: throughput, latency, every non-2xx, and exactly which deliveries were acknowledged.</summary>
public sealed record LoadResult(
    int Connections, long Requests, double Seconds, double P50Ms, double P95Ms, double P99Ms, double MaxMs,
    IReadOnlyDictionary<int, int> NonSuccess, int SocketErrors, long Wrapped, IReadOnlyList<Delivery> Acknowledged)
{
    public double PerSecond => Requests / Seconds;

    /// <summary>The server's CPU time (all threads) per request over the run, where it was measured.</summary>
    public TimeSpan? CpuPerRequest { get; init; }

    /// <summary>
    /// Two wrk runs side by side, one per instance: requests, errors and acknowledgements added up over the longer of the
    /// two windows; latency percentiles are the worse of the two (percentiles cannot be merged exactly from wrk's output).
    /// </summary>
    public static LoadResult Sum(LoadResult a, LoadResult b) => new(
        a.Connections + b.Connections, a.Requests + b.Requests, Math.Max(a.Seconds, b.Seconds),
        Math.Max(a.P50Ms, b.P50Ms), Math.Max(a.P95Ms, b.P95Ms), Math.Max(a.P99Ms, b.P99Ms), Math.Max(a.MaxMs, b.MaxMs),
        a.NonSuccess.Concat(b.NonSuccess).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)),
        a.SocketErrors + b.SocketErrors, a.Wrapped + b.Wrapped, [.. a.Acknowledged, .. b.Acknowledged]);

    public string Errors => NonSuccess.Count == 0 && SocketErrors == 0
        ? "0"
        : string.Join(" ", NonSuccess.Select(kv => $"{kv.Value}×{kv.Key}")) + (SocketErrors > 0 ? $" {SocketErrors} socket" : "");
}

public static partial class WrkRunner
{
    public static async Task<LoadResult> RunAsync(int port, string requestDirectory, List<Delivery>[] perConnection, TimeSpan duration)
    {
        var connections = perConnection.Length;
        duration = Smoke.Duration(duration);
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "-t", connections.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s", "--timeout", "10s",
                     "-s", Path.Combine(AppContext.BaseDirectory, "Wrk", "replay.lua"),
                     $"http://127.0.0.1:{port}/webhooks/stripe", "--", requestDirectory,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await stderr}\n{output}");
        }

        return Parse(output, perConnection);
    }

    private static LoadResult Parse(string output, List<Delivery>[] perConnection)
    {
        var summary = SummaryLine().Match(output);
        var latency = LatencyLine().Match(output);
        if (!summary.Success || !latency.Success)
        {
            throw new InvalidOperationException("Unexpected wrk output:\n" + output);
        }

        long Get(Match m, string name) => long.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var nonSuccess = new Dictionary<int, int>();
        var acknowledged = new List<Delivery>();
        long wrapped = 0;
        foreach (Match thread in ThreadLine().Matches(output))
        {
            var deliveries = perConnection[int.Parse(thread.Groups["id"].Value, CultureInfo.InvariantCulture)];
            wrapped += long.Parse(thread.Groups["wrapped"].Value, CultureInfo.InvariantCulture);
            foreach (var range in thread.Groups["acked"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var bounds = range.Split('-');
                for (var i = int.Parse(bounds[0], CultureInfo.InvariantCulture); i <= int.Parse(bounds[1], CultureInfo.InvariantCulture); i++)
                {
                    acknowledged.Add(deliveries[i - 1]);
                }
            }

            foreach (var failure in thread.Groups["failures"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var status = int.Parse(failure.Split(':')[1], CultureInfo.InvariantCulture);
                nonSuccess[status] = nonSuccess.GetValueOrDefault(status) + 1;
            }
        }

        return new LoadResult(
            perConnection.Length,
            Get(summary, "requests"),
            Get(summary, "duration") / 1e6,
            Get(latency, "p50") / 1000.0,
            Get(latency, "p95") / 1000.0,
            Get(latency, "p99") / 1000.0,
            Get(latency, "max") / 1000.0,
            nonSuccess,
            (int)(Get(summary, "connect") + Get(summary, "read") + Get(summary, "write") + Get(summary, "timeouts")),
            wrapped,
            acknowledged);
    }

    [GeneratedRegex(@"BENCH summary requests=(?<requests>\d+) duration_us=(?<duration>\d+) connect_errors=(?<connect>\d+) read_errors=(?<read>\d+) write_errors=(?<write>\d+) status_errors=\d+ timeouts=(?<timeouts>\d+)")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"BENCH latency p50=(?<p50>\d+) p95=(?<p95>\d+) p99=(?<p99>\d+) max=(?<max>\d+)")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"BENCH thread id=(?<id>\d+) sent=\d+ wrapped=(?<wrapped>\d+) acked=(?<acked>\S*) failures=(?<failures>\S*)")]
    private static partial Regex ThreadLine();
}
