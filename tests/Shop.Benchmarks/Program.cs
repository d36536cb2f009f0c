// Over 300 lines on purpose: the benchmark's driver, every group and scenario with its baseline in one place, as
// docs/benchmarks.md reports them.
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Benchmarks;
using Shop.Benchmarks.StorefrontBaseline;
using Shop.Web.Orders;

// Usage: Shop.Benchmarks <repository root> <published shop folder> [--postgres <connection string>] [--only <scenario>].
// scripts/bench.sh publishes the shop as it would be deployed (Release, ReadyToRun), starts PostgreSQL, and runs this.
// --only runs one group while a change is being worked on: sqlite (every SQLite row), postgres, pgemail (PostgreSQL's
// email drains alone), or one SQLite scenario (start, ingest, checkout, email), or storefront (its pages on both
// databases); a partial run rewrites the results block with only its rows.
// --smoke runs every group (or the --only one) for a second or two, each in its own process, and writes nothing down.
string[] scenarios = ["sqlite", "postgres", "pgemail", "start", "ingest", "checkout", "email", "storefront"];
var usage = $"Usage: Shop.Benchmarks <root> <shop folder> [--postgres <connection string>] [--only {string.Join('|', scenarios)}] [--smoke]";
var positional = new List<string>();
string? postgreSqlServer = null;
string? only = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--postgres" when i + 1 < args.Length:
            postgreSqlServer = args[++i];
            break;
        case "--only" when i + 1 < args.Length && scenarios.Contains(args[i + 1]):
            only = args[++i];
            break;
        case "--smoke":
            Smoke.Enabled = true;
            break;
        case var option when option.StartsWith("--", StringComparison.Ordinal):
            Console.Error.WriteLine($"Unknown option {option}. {usage}");
            return 2;
        default:
            positional.Add(args[i]);
            break;
    }
}

if (Smoke.Enabled && only is null)
{
    // Each group on its own, as `--only <group>` would run on a fresh clone: the groups every full run fills first
    // (caches, the SQLite file) cannot hide a group's own crash. "sqlite" is the union of the SQLite groups.
    var failed = new List<string>();
    foreach (var group in scenarios.Where(s => s != "sqlite"))
    {
        Console.WriteLine($"== --smoke --only {group}");
        using var child = Process.Start(Environment.ProcessPath!, [typeof(Report).Assembly.Location, .. args, "--only", group])!;
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            failed.Add(group);
        }
    }

    Console.WriteLine(failed.Count == 0 ? "Every group completed its smoke run." : $"Smoke runs failed: {string.Join(", ", failed)}");
    return failed.Count == 0 ? 0 : 1;
}

var root = Path.GetFullPath(positional.Count > 0 ? positional[0] : ".");
var shopFolder = Path.GetFullPath(positional.Count > 1 ? positional[1] : Path.Combine(root, "artifacts", "bench", "shop"));
var shopExecutable = Path.Combine(shopFolder, "Shop.Web");
var work = Directory.CreateTempSubdirectory("shop-bench-").FullName;
var sqlite = BenchDatabase.Sqlite(Path.Combine(work, "shop.db"));
var report = new Report("results");
var postgresReport = new Report("postgres");
report.Disk = postgresReport.Disk = DiskSync.Measure(work);
Console.WriteLine($"Disk: {report.Disk}");
var total = Stopwatch.StartNew();
// Email drains: the shop's first 15 s of sending warm it up (tier-1 JIT), then 5,000 rows are timed; enough rows are
// queued for 15 s at 2,000/s and those 5,000.
const int EmailQueued = 35_000;
var emailWarmUp = TimeSpan.FromSeconds(15);
void Step(string what) => Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {what}");

try
{
    await using var stripe = await StripeStandIn.StartAsync();
    if (only is not ("postgres" or "pgemail"))
    {
        await SqliteScenariosAsync(stripe);
    }

    if (only is null or "postgres" or "storefront" or "pgemail")
    {
        if (postgreSqlServer is null)
        {
            Console.WriteLine("No PostgreSQL server given (--postgres <connection string>): PostgreSQL scenarios skipped.");
        }
        else if (only == "storefront")
        {
            var postgres = await BenchDatabase.FreshPostgreSqlAsync(postgreSqlServer, "shop_bench");
            await Seeder.MigrateAsync(postgres);
            await PostgreSqlStorefrontAsync(stripe, postgres);
        }
        else if (only == "pgemail")
        {
            Step("PostgreSQL: a fresh database, the shop's migrations, 2,000 orders for the emails");
            var postgres = await BenchDatabase.FreshPostgreSqlAsync(postgreSqlServer, "shop_bench");
            await Seeder.MigrateAsync(postgres);
            var settings = ShopSettings(stripe.Url);
            postgres.ApplyTo(settings);
            await PostgreSqlEmailAsync(settings, postgres, await Seeder.OrdersAsync(postgres, "pgmail", 2_000));
        }
        else
        {
            await PostgreSqlScenariosAsync(stripe, postgreSqlServer);
        }
    }

    Step("Done");
    foreach (var written in new[] { report, postgresReport }.Where(r => !r.IsEmpty))
    {
        var markdown = written.ToMarkdown(root, total.Elapsed);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (!Smoke.Enabled)
        {
            written.WriteInto(Path.Combine(root, "docs", "benchmarks.md"), markdown);
        }
    }

    return report.AllChecksPassed && postgresReport.AllChecksPassed ? 0 : 1;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(work, recursive: true);
}

// The SQLite scenarios: start-up, memory, ingest at 1, 16, 64 connections, duplicate storm, checkout, email drain.
async Task SqliteScenariosAsync(StripeStandIn stripe)
{
    Step("Seeding 20,000 + 20,000 orders through ShopDbContext and the shop's migrations");
    await Seeder.MigrateAsync(sqlite);
    var orders = await Seeder.OrdersAsync(sqlite, "bench", 20_000);
    var stormOrders = await Seeder.OrdersAsync(sqlite, "storm", 20_000);

    await using var baselines = await Baselines.StartAsync(work);
    var settings = ShopSettings(stripe.Url);
    sqlite.ApplyTo(settings);

    // The first start of a freshly built shop pays for the file cache; the starts measured are the next five.
    var runsStart = Runs("start");
    var starts = new List<double>();
    var shop = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
    try
    {
        for (var i = 0; runsStart && i < Smoke.Count(5, 1); i++)
        {
            if (i == 0)
            {
                Step("Cold start: process start to the first 200 on / (5 starts)");
            }

            await shop.DisposeAsync();
            shop = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
            starts.Add(shop.Startup.TotalMilliseconds);
        }

        await Task.Delay(2000);
        if (runsStart)
        {
            report.Startup(starts, shop.ResidentMegabytes());
        }

        if (Runs("ingest"))
        {
            await IngestAsync(shop, baselines, orders, stormOrders);
        }

        if (Runs("checkout"))
        {
            Step("Checkout: 300 sequential order + PaymentIntent creations (warmed up for 10 s and until its tier-1 JIT is quiet)");
            var checkout = await stripe.RunAsync(shop, TimeSpan.FromSeconds(10), 300);
            report.Checkout(checkout);
            report.CheckoutCpu("Checkout POST on SQLite, one instance", checkout);
        }

        if (Runs("storefront"))
        {
            await StorefrontAsync(report, "SQLite", sqlite, shop);
        }
    }
    finally
    {
        // However the group ends: a failed run must not leave a shop process behind.
        await shop.DisposeAsync();
    }

    if (Runs("email"))
    {
        await SqliteEmailAsync(settings, orders);
    }
}

bool Runs(string scenario) => only is null or "sqlite" || only == scenario;

// Ingest at 1, 16 and 64 connections beside the baselines, memory after it, then the duplicate storm.
async Task IngestAsync(ShopProcess shop, Baselines baselines, List<SeededOrder> orders, List<SeededOrder> stormOrders)
{
    // A freshly started shop spends its first ~15 s of work compiling hot methods again at tier 1 (a third of its CPU,
    // measured in the email scenario); measured before that, the one-connection run paid for the JIT on these 2 cores.
    Step("Warm-up (JIT) of both baselines (2 s) and the shop (15 s)");
    var warmup = Deliveries(orders, "warm", 40_000, 0);
    var warmFiles = EventFiles.Write(Path.Combine(work, "warm"), warmup, 64);
    foreach (var (port, seconds) in new[] { (baselines.VerifyOnlyPort, 2), (baselines.GroupCommitPort, 2), (shop.Port, 15) })
    {
        await WrkRunner.RunAsync(port, Path.Combine(work, "warm"), warmFiles, TimeSpan.FromSeconds(seconds));
    }

    Directory.Delete(Path.Combine(work, "warm"), recursive: true);

    foreach (var connections in new[] { 1, 16, 64 })
    {
        var duration = TimeSpan.FromSeconds(4);
        // Sized so the app and baseline (b) never run out of unique events (repeats would be cheap duplicates); (a) may repeat.
        var budget = (connections == 1 ? 6_000 : 26_000) * (int)duration.TotalSeconds;
        var deliveries = Deliveries(orders, $"c{connections}", budget, connections * 7919);
        var directory = Path.Combine(work, $"c{connections}");
        Step($"Ingest at {connections} connections: signing {budget:N0} events");
        var files = EventFiles.Write(directory, deliveries, connections);

        Step($"Ingest at {connections} connections: (a) signature only, (b) group-commit baseline, the shop");
        var verifyOnly = await WrkRunner.RunAsync(baselines.VerifyOnlyPort, directory, files, duration);
        // CPU per event: unlike latency, hardly moved by other work on the machine. The baselines run in this process.
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var groupCommit = await WrkRunner.RunAsync(baselines.GroupCommitPort, directory, files, duration);
        var groupCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu) / groupCommit.Requests;
        var groupMissing = Missing(groupCommit.Acknowledged, baselines.StoredIds());
        var shopCpu = shop.CpuTime();
        var app = await WrkRunner.RunAsync(shop.Port, directory, files, duration);
        var appCpu = (shop.CpuTime() - shopCpu) / app.Requests;
        var appMissing = Missing(app.Acknowledged, await StoredEventIdsAsync(sqlite, $"evt_c{connections}_"));
        report.Ingest(connections, verifyOnly, groupCommit with { CpuPerRequest = groupCpu }, groupMissing, app with { CpuPerRequest = appCpu }, appMissing);
        Directory.Delete(directory, recursive: true);
    }

    report.ResidentAfterIngest(shop.ResidentMegabytes());

    Step("Duplicate storm: 20,000 payment_intent.succeeded events, each delivered twice, shuffled, 64 connections");
    {
        var unique = stormOrders.Select((o, i) => new Delivery($"evt_storm_{i:D8}", "payment_intent.succeeded", o.PaymentIntentId, o.Amount)).ToList();
        var deliveries = unique.Concat(unique).OrderBy(_ => Random.Shared.Next()).ToList();
        var directory = Path.Combine(work, "storm");
        var files = EventFiles.Write(directory, deliveries, 64);
        var storm = await WrkRunner.RunAsync(shop.Port, directory, files, TimeSpan.FromSeconds(4));
        var missing = Missing(storm.Acknowledged, await StoredEventIdsAsync(sqlite, "evt_storm_"));
        report.Storm(storm, missing, await StormEffectsAsync(sqlite, storm.Acknowledged));
        Directory.Delete(directory, recursive: true);
    }
}

// The SMTP server's one-connection ceiling and one connection per message, the shop's drain between two ceiling runs,
// then the dev inbox under the same one-connection client.
async Task SqliteEmailAsync(Dictionary<string, string> settings, List<SeededOrder> orders)
{
    Step("Email: the SMTP server's one-connection ceiling and one connection per message, then the shop draining (15 s to warm up, 5,000 timed)");
    await using (var smtp = await EmailBenchmark.StartAsync())
    {
        var perMessage = await smtp.OneConnectionPerMessageAsync(500);
        var ceilingBefore = await smtp.OneConnectionAsync(3_000);
        await Seeder.PendingEmailsAsync(sqlite, orders, EmailQueued);
        SmtpSettings(settings, smtp);
        EmailResult? drain;
        await using (var shop = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings))
        {
            drain = await smtp.DrainAsync(sqlite, [shop], EmailQueued, emailWarmUp, 5_000, TimeSpan.FromSeconds(40));
        }

        // Measured once the shop is stopped: it would still be sending the rows left after the timed ones.
        report.Email(new EmailBaselines(perMessage, ceilingBefore, await smtp.OneConnectionAsync(3_000)), drain);
    }

    Step("Email: the dev inbox's one-connection ceiling");
    report.DevInbox(await EmailBenchmark.DevInboxOneConnectionAsync(2_000));
}

// The PostgreSQL scenarios, each beside a baseline in the same run: ingest at 1 and 64 connections on one and on two
// instances against a group-commit baseline on the same server, then the email drain with one and three instances.
async Task PostgreSqlScenariosAsync(StripeStandIn stripe, string server)
{
    Step("PostgreSQL: a fresh database, the shop's migrations, 20,000 orders");
    var postgres = await BenchDatabase.FreshPostgreSqlAsync(server, "shop_bench");
    await Seeder.MigrateAsync(postgres);
    var orders = await Seeder.OrdersAsync(postgres, "pgbench", 20_000);
    await using var baseline = await PostgreSqlBaseline.StartAsync(postgres.ConnectionString);
    var settings = ShopSettings(stripe.Url);
    postgres.ApplyTo(settings);

    // Disposed (killed) however the group ends: a second instance that fails to start must not leave the first running.
    await using (var first = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings))
    await using (var second = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings))
    {
        Step("PostgreSQL: warm-up (JIT) of the baseline and both instances");
        var warmFiles = EventFiles.Write(Path.Combine(work, "pgwarm"), Deliveries(orders, "pgwarm", 6_000, 0), 16);
        foreach (var port in new[] { baseline.Port, first.Port, second.Port })
        {
            await WrkRunner.RunAsync(port, Path.Combine(work, "pgwarm"), warmFiles, TimeSpan.FromSeconds(2));
        }

        Directory.Delete(Path.Combine(work, "pgwarm"), recursive: true);
        var duration = TimeSpan.FromSeconds(10);
        foreach (var connections in new[] { 1, 64 })
        {
            // Unique events for 1,500/s at 1 connection and 6,000/s at 64; more would cost gigabytes of request files.
            var budget = (connections == 1 ? 1_500 : 6_000) * (int)duration.TotalSeconds;
            var oneRun = $"pg1c{connections}";
            var oneDirectory = Path.Combine(work, oneRun);
            Step($"PostgreSQL ingest at {connections} connections: signing {budget:N0} + {budget:N0} events");
            var oneFiles = EventFiles.Write(oneDirectory, Deliveries(orders, oneRun, budget, connections * 7919), connections);

            // Two instances: each gets its own wrk and its own half of the connections (at least one) and of the events.
            var perInstance = Math.Max(1, connections / 2);
            var twoRun = $"pg2c{connections}";
            var twoDeliveries = Deliveries(orders, twoRun, budget, connections * 104729);
            var twoDirectories = new[] { Path.Combine(work, twoRun + "a"), Path.Combine(work, twoRun + "b") };
            var twoFiles = twoDirectories
                .Select((directory, half) => EventFiles.Write(directory, twoDeliveries.Where((_, i) => i % 2 == half).ToList(), perInstance))
                .ToArray();

            Step($"PostgreSQL ingest at {connections} connections: (b) group-commit baseline, one instance, two instances");
            var groupCommit = await WrkRunner.RunAsync(baseline.Port, oneDirectory, oneFiles, duration);
            var groupMissing = Missing(groupCommit.Acknowledged, await baseline.StoredIdsAsync());
            var cpuBefore = first.CpuTime();
            var oneWaits = PostgreSqlWaits.Start(postgres.ConnectionString);
            var one = await WrkRunner.RunAsync(first.Port, oneDirectory, oneFiles, duration);
            postgresReport.Note(await oneWaits.SummaryAsync($"PostgreSQL ingest, {connections} connection(s), one instance"));
            one = one with { CpuPerRequest = (first.CpuTime() - cpuBefore) / Math.Max(1, one.Requests) };
            var oneMissing = Missing(one.Acknowledged, await StoredEventIdsAsync(postgres, $"evt_{oneRun}_"));
            cpuBefore = first.CpuTime() + second.CpuTime();
            var twoWaits = PostgreSqlWaits.Start(postgres.ConnectionString);
            var halves = await Task.WhenAll(
                WrkRunner.RunAsync(first.Port, twoDirectories[0], twoFiles[0], duration),
                WrkRunner.RunAsync(second.Port, twoDirectories[1], twoFiles[1], duration));
            postgresReport.Note(await twoWaits.SummaryAsync($"PostgreSQL ingest, {connections} connection(s), two instances"));
            var two = LoadResult.Sum(halves[0], halves[1]);
            two = two with { CpuPerRequest = (first.CpuTime() + second.CpuTime() - cpuBefore) / Math.Max(1, two.Requests) };
            var twoMissing = Missing(two.Acknowledged, await StoredEventIdsAsync(postgres, $"evt_{twoRun}_"));
            postgresReport.PostgreSqlIngest(connections, groupCommit, groupMissing, one, oneMissing, two, twoMissing);
            foreach (var directory in twoDirectories.Append(oneDirectory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    await PostgreSqlStorefrontAsync(stripe, postgres);
    await PostgreSqlEmailAsync(settings, postgres, orders);
}

// Issue 18 on PostgreSQL: the storefront pages on one instance, then checkout on one instance and on two at once.
async Task PostgreSqlStorefrontAsync(StripeStandIn stripe, BenchDatabase postgres)
{
    var settings = ShopSettings(stripe.Url);
    postgres.ApplyTo(settings);
    await using var first = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
    await StorefrontAsync(postgresReport, "PostgreSQL", postgres, first);

    Step("PostgreSQL checkout: 300 sequential visitors on one instance (warmed up for 10 s and until its tier-1 JIT is quiet)");
    postgresReport.CheckoutCpu("Checkout POST on PostgreSQL, one instance", await stripe.RunAsync(first, TimeSpan.FromSeconds(10), 300));

    Step("PostgreSQL checkout: two instances at once, 150 sequential visitors each (warmed up for 10 s and until its tier-1 JIT is quiet)");
    await using var second = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
    var both = await Task.WhenAll(stripe.RunAsync(first, TimeSpan.FromSeconds(10), 150), stripe.RunAsync(second, TimeSpan.FromSeconds(10), 150));
    for (var i = 0; i < both.Length; i++)
    {
        postgresReport.CheckoutCpu($"Checkout POST on PostgreSQL, two instances at once: instance {i + 1}", both[i]);
    }
}

// The catalog page and a product page, new and returning visitors, against the minimal Razor Pages baseline.
async Task StorefrontAsync(Report into, string database, BenchDatabase data, ShopProcess shop)
{
    Step($"Storefront on {database}: / and a product page, new and returning visitors, the minimal Razor Pages baseline then the shop (16 connections, 5 s each)");
    await using var baseline = await StorefrontBaselineServer.StartAsync(data);
    foreach (var row in await StorefrontBenchmark.RunAsync(baseline, shop, TimeSpan.FromSeconds(5)))
    {
        into.Storefront(database, row);
    }
}

async Task PostgreSqlEmailAsync(Dictionary<string, string> settings, BenchDatabase postgres, List<SeededOrder> orders)
{
    Step("PostgreSQL email: the SMTP server's one-connection ceiling and one connection per message, then outbox rows drained by one and by three instances (15 s to warm up, 5,000 timed)");
    await using var smtp = await EmailBenchmark.StartAsync();
    var perMessage = await smtp.OneConnectionPerMessageAsync(500);
    SmtpSettings(settings, smtp);
    foreach (var instances in new[] { 1, 3 })
    {
        var ceiling = await smtp.OneConnectionAsync(3_000);
        var shops = new List<ShopProcess>();
        EmailResult? drain;
        try
        {
            for (var i = 0; i < instances; i++)
            {
                shops.Add(await ShopProcess.StartAsync(shopExecutable, shopFolder, settings));
            }

            // Queued once every instance runs, so that all start sending together: the first one started would otherwise
            // drain a smoke run's few rows alone before the last one is up.
            await Seeder.PendingEmailsAsync(postgres, orders, EmailQueued);
            drain = await smtp.DrainAsync(postgres, shops, EmailQueued, emailWarmUp, 5_000, TimeSpan.FromSeconds(40));
        }
        finally
        {
            foreach (var shop in shops)
            {
                await shop.DisposeAsync();
            }
        }

        // Measured once the shops are stopped: they would still be sending the rows left after the timed ones.
        postgresReport.PostgreSqlEmail(instances, new EmailBaselines(perMessage, ceiling, await smtp.OneConnectionAsync(3_000)), drain);
    }
}

static void SmtpSettings(Dictionary<string, string> settings, EmailBenchmark smtp)
{
    settings["Smtp__Host"] = "127.0.0.1";
    settings["Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture);
    settings["Smtp__Security"] = "None";
    settings["Smtp__From__Address"] = "shop@example.com";
}

Dictionary<string, string> ShopSettings(string stripeUrl) => new()
{
    ["Shop__Currency"] = "usd",
    // Required outside local environments; plain http on loopback keeps cookies usable over the benchmark's http.
    ["Shop__PublicBaseUrl"] = "http://127.0.0.1/",
    ["Stripe__WebhookSecrets__0"] = EventFiles.Secret,
    ["Stripe__SecretKey"] = "sk_test_bench_fake",
    ["Stripe__PublishableKey"] = "pk_test_bench_fake",
    ["Stripe__ApiBase"] = stripeUrl,
    ["Stripe__MaxNetworkRetries"] = "0",
    ["RateLimiting__CheckoutPermitLimit"] = "10000",
    // The seeded orders wait for payment; the reconciliation job would start asking Stripe about them after 10 minutes.
    ["Reconciliation__Enabled"] = "false",
};

// Three successes to one failure, spread over the seeded orders (most arrive after the order is settled and are refused,
// which still costs a read, a record and a commit).
static List<Delivery> Deliveries(List<SeededOrder> orders, string run, int count, int offset) =>
    Enumerable.Range(0, count).Select(i =>
    {
        var order = orders[(offset + i) % orders.Count];
        var type = i % 4 == 3 ? "payment_intent.payment_failed" : "payment_intent.succeeded";
        return new Delivery($"evt_{run}_{i:D8}", type, order.PaymentIntentId, order.Amount);
    }).ToList();

static int Missing(IReadOnlyList<Delivery> acknowledged, HashSet<string> stored) =>
    acknowledged.Select(d => d.EventId).Distinct().Count(id => !stored.Contains(id));

static async Task<HashSet<string>> StoredEventIdsAsync(BenchDatabase database, string prefix)
{
    await using var db = database.Open();
    return (await db.StripeEvents.Where(e => e.EventId.StartsWith(prefix)).Select(e => e.EventId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
}

static async Task<StormEffects> StormEffectsAsync(BenchDatabase database, IReadOnlyList<Delivery> acknowledged)
{
    await using var db = database.Open();
    var orders = await db.Orders.Where(o => o.PaymentIntentId!.StartsWith("pi_storm"))
        .Select(o => new { o.Id, o.PaymentIntentId, o.Status, o.Version }).ToListAsync();
    var ids = orders.Select(o => o.Id).ToList();
    var outbox = await db.Outbox.Where(m => ids.Contains(m.OrderId)).GroupBy(m => m.OrderId)
        .Select(g => new { OrderId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.OrderId, g => g.Count);
    var ackedIntents = acknowledged.Select(d => d.PaymentIntentId).ToHashSet(StringComparer.Ordinal);

    // Seeded orders are at Version 2 (placed, PaymentIntent attached); one applied event makes it 3.
    return new StormEffects(
        AckedOrders: orders.Count(o => ackedIntents.Contains(o.PaymentIntentId!)),
        AckedButNotPaid: orders.Count(o => ackedIntents.Contains(o.PaymentIntentId!) && (o.Status != OrderStatus.Paid || o.Version != 3)),
        ChangedTwice: orders.Count(o => o.Version > 3),
        OutboxMissing: orders.Count(o => o.Status == OrderStatus.Paid && outbox.GetValueOrDefault(o.Id) != 1),
        OutboxDoubled: outbox.Count(kv => kv.Value > 1));
}
