using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shop.Benchmarks;

public sealed record CheckoutResult(int Orders, int Failures, double TotalP50Ms, double TotalP99Ms, double OverheadP50Ms, double OverheadP99Ms, double StubP99Ms,
    double ShopCpuPerPostMs, double ShopCpuPerVisitorMs, TimeSpan WarmUp, bool JitSettled);

/// <summary>
/// Stands in for api.stripe.com: answers POST /v1/payment_intents at once, and times its own handling per order so the
/// benchmark can subtract it and report the shop's own overhead.
/// </summary>
public sealed partial class StripeStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StripeStandIn(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    /// <summary>The stub's own time per order public id (from metadata[order_id]).</summary>
    public ConcurrentDictionary<string, double> HandlingMs { get; } = new(StringComparer.Ordinal);

    public static async Task<StripeStandIn> StartAsync()
    {
        var port = ShopProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var stub = new StripeStandIn(app, port);
        app.MapPost("/v1/payment_intents", async (HttpContext context) =>
        {
            var clock = Stopwatch.StartNew();
            var form = await context.Request.ReadFormAsync();
            var id = "pi_" + Guid.NewGuid().ToString("N")[..24];
            var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["id"] = id,
                ["object"] = "payment_intent",
                ["amount"] = long.Parse(form["amount"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["currency"] = form["currency"].ToString(),
                ["client_secret"] = id + "_secret_stub",
                ["status"] = "requires_payment_method",
                ["livemode"] = false,
                ["metadata"] = new Dictionary<string, string>(),
            });
            context.Response.ContentType = "application/json";
            context.Response.Headers["Request-Id"] = "req_stub";
            await context.Response.Body.WriteAsync(body);
            stub.HandlingMs[form["metadata[order_id]"].ToString()] = clock.Elapsed.TotalMilliseconds;
        });
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// Sequential checkouts, each by a new visitor with one product in the cart; only POST /checkout is timed. The shop's
    /// CPU time is counted too, per POST and per visitor (its four requests): unlike latency, it hardly moves with other
    /// work on the machine.
    /// </summary>
    /// <param name="warmUp">Visitors come untimed for at least this long first, and then until the shop's tier-1 JIT has
    /// gone quiet (at most <see cref="s_jitWait"/> more): the methods a checkout runs are recompiled after their first 30
    /// calls, and at this pace the JIT's thread kept busy for about 95 s after start, 40 % of the shop's CPU while it did.</param>
    public async Task<CheckoutResult> RunAsync(ShopProcess shop, TimeSpan warmUp, int count)
    {
        (warmUp, count) = (Smoke.Duration(warmUp), Smoke.Count(count, 10));
        var totals = new List<double>();
        var overheads = new List<double>();
        var stubs = new List<double>();
        var failures = 0;
        var postCpu = TimeSpan.Zero;
        var visitorsCpu = TimeSpan.Zero;
        var shopPort = shop.Port;
        var warming = Stopwatch.StartNew();
        var warm = true;
        var jit = new JitActivity(shop.ProcessId);
        var jitSettled = Smoke.Enabled;
        var warmedFor = TimeSpan.Zero;
        for (var visitors = 0; visitors < count;)
        {
            if (warm && warming.Elapsed >= warmUp)
            {
                jitSettled = jitSettled || jit.QuietFor(s_jitQuiet);
                if (jitSettled || warming.Elapsed >= warmUp + s_jitWait)
                {
                    warm = false;
                    warmedFor = warming.Elapsed;
                    visitorsCpu = -shop.CpuTime();
                }
            }

            using var handler = new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{shopPort}") };
            var product = await client.GetStringAsync(new Uri("/products/canvas-tote", UriKind.Relative));
            using (var add = await client.PostAsync(new Uri("/cart?handler=Add", UriKind.Relative), Form(
                       ("productId", ProductId().Match(product).Groups[1].Value), ("quantity", "1"), ("__RequestVerificationToken", Token(product)))))
            {
                add.EnsureSuccessStatusCodeOrRedirect();
            }

            var checkoutPage = await client.GetStringAsync(new Uri("/checkout", UriKind.Relative));
            using var form = Form(
                ("Input.Email", "ada@example.com"), ("Input.Name", "Ada Lovelace"), ("Input.Line1", "12 St James's Square"),
                ("Input.City", "London"), ("Input.PostalCode", "SW1Y 4JH"), ("Input.Country", "GB"),
                ("__RequestVerificationToken", Token(checkoutPage)));
            var cpuBefore = ThreadsCpu(shop.ProcessId);
            var clock = Stopwatch.StartNew();
            using var response = await client.PostAsync(new Uri("/checkout", UriKind.Relative), form);
            var total = clock.Elapsed.TotalMilliseconds;
            if (warm)
            {
                continue;
            }

            visitors++;
            postCpu += CpuBetween(cpuBefore, ThreadsCpu(shop.ProcessId));

            var orderId = response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } location
                ? PayPath().Match(location.OriginalString) is { Success: true } m ? m.Groups[1].Value : null
                : null;
            if (orderId is null || !HandlingMs.TryGetValue(orderId, out var stubMs))
            {
                failures++;
                continue;
            }

            totals.Add(total);
            stubs.Add(stubMs);
            overheads.Add(total - stubMs);
        }

        // The whole run from the process's own counter, which keeps the time of threads that have ended.
        visitorsCpu += shop.CpuTime();
        return new CheckoutResult(totals.Count, failures, Stats.Percentile(totals, 50), Stats.Percentile(totals, 99),
            Stats.Percentile(overheads, 50), Stats.Percentile(overheads, 99), Stats.Percentile(stubs, 99),
            postCpu.TotalMilliseconds / count, visitorsCpu.TotalMilliseconds / count, warmedFor, jitSettled);
    }

    private static readonly TimeSpan s_jitQuiet = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_jitWait = TimeSpan.FromMinutes(3);

    /// <summary>
    /// CPU time each of the shop's threads has run, to the nanosecond (the first field of /proc/PID/task/TID/schedstat),
    /// where the process's own counters move in 10 ms ticks: too coarse for one request. Background workers count too.
    /// With a name, only the threads whose name (/proc's comm) starts with it.
    /// </summary>
    internal static Dictionary<string, long> ThreadsCpu(int processId, string? named = null)
    {
        var threads = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var thread in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            try
            {
                if (named is not null && !File.ReadAllText(Path.Combine(thread, "comm")).StartsWith(named, StringComparison.Ordinal))
                {
                    continue;
                }

                var schedstat = File.ReadAllText(Path.Combine(thread, "schedstat"));
                threads[Path.GetFileName(thread)] = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return threads;
    }

    /// <summary>
    /// What the threads ran between two readings, thread by thread: a plain sum went down whenever a thread-pool thread
    /// ended in between (its time left the sum), which once made a whole run's figure negative.
    /// </summary>
    private static TimeSpan CpuBetween(Dictionary<string, long> before, Dictionary<string, long> after) =>
        TimeSpan.FromTicks(after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key)) / 100);

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static string Token(string html) => TokenPattern().Match(html) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("name=\"productId\" value=\"(\\d+)\"")]
    private static partial Regex ProductId();

    [GeneratedRegex("^/orders/([^/]+)/pay$")]
    private static partial Regex PayPath();
}

internal static class ResponseChecks
{
    public static void EnsureSuccessStatusCodeOrRedirect(this HttpResponseMessage response)
    {
        if ((int)response.StatusCode >= 400)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}.");
        }
    }
}

public static class Stats
{
    public static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Whether a process's tiered-compilation thread (".NET Tiered Com", which recompiles hot methods at tier 1 in the
/// background and ends when it runs out of work) has run in a recent stretch, read from /proc like the CPU times above.
/// </summary>
internal sealed class JitActivity(int processId)
{
    private const string TieredCompilationThread = ".NET Tiered Com";

    private Dictionary<string, long> _last = StripeStandIn.ThreadsCpu(processId, TieredCompilationThread);
    private readonly Stopwatch _quiet = Stopwatch.StartNew();

    /// <summary>True once the thread has not run for this long (checked on each call: call it often).</summary>
    public bool QuietFor(TimeSpan span)
    {
        var now = StripeStandIn.ThreadsCpu(processId, TieredCompilationThread);
        if (now.Any(thread => thread.Value != _last.GetValueOrDefault(thread.Key)))
        {
            _quiet.Restart();
        }

        _last = now;
        return _quiet.Elapsed >= span;
    }
}
