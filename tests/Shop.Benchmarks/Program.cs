using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Benchmarks;
using Shop.Web.Orders;

// Usage: Shop.Benchmarks <repository root> <published shop folder>. scripts/bench.sh publishes the shop as it would be
// deployed (Release, ReadyToRun) and runs this.
var root = Path.GetFullPath(args.Length > 0 ? args[0] : ".");
var shopFolder = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "artifacts", "bench", "shop"));
var shopExecutable = Path.Combine(shopFolder, "Shop.Web");
var work = Directory.CreateTempSubdirectory("shop-bench-").FullName;
var database = Path.Combine(work, "shop.db");
var report = new Report();
var total = Stopwatch.StartNew();
void Step(string what) => Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {what}");

try
{
    Step("Seeding 20,000 + 20,000 orders through ShopDbContext and the shop's migrations");
    await Seeder.MigrateAsync(database);
    var orders = await Seeder.OrdersAsync(database, "bench", 20_000);
    var stormOrders = await Seeder.OrdersAsync(database, "storm", 20_000);

    await using var stripe = await StripeStandIn.StartAsync();
    await using var baselines = await Baselines.StartAsync(work);
    var settings = new Dictionary<string, string>
    {
        ["ConnectionStrings__Shop"] = $"Data Source={database}",
        ["Shop__Currency"] = "usd",
        ["Stripe__WebhookSecrets__0"] = EventFiles.Secret,
        ["Stripe__SecretKey"] = "sk_test_bench_fake",
        ["Stripe__PublishableKey"] = "pk_test_bench_fake",
        ["Stripe__ApiBase"] = stripe.Url,
        ["Stripe__MaxNetworkRetries"] = "0",
        ["RateLimiting__CheckoutPermitLimit"] = "10000",
        // The seeded orders wait for payment; the reconciliation job would start asking Stripe about them after 10 minutes.
        ["Reconciliation__Enabled"] = "false",
    };

    Step("Cold start: process start to the first 200 on / (3 starts)");
    var starts = new List<double>();
    ShopProcess? shop = null;
    for (var i = 0; i < 3; i++)
    {
        if (shop is not null)
        {
            await shop.DisposeAsync();
        }

        shop = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
        starts.Add(shop.Startup.TotalMilliseconds);
    }

    await Task.Delay(2000);
    report.Startup(starts, shop!.ResidentMegabytes());

    Step("Warm-up (JIT) of the shop and both baselines");
    var warmup = Deliveries(orders, "warm", 20_000, 0);
    var warmFiles = EventFiles.Write(Path.Combine(work, "warm"), warmup, 64);
    foreach (var port in new[] { baselines.VerifyOnlyPort, baselines.GroupCommitPort, shop.Port })
    {
        await WrkRunner.RunAsync(port, Path.Combine(work, "warm"), warmFiles, TimeSpan.FromSeconds(2));
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
        var groupCommit = await WrkRunner.RunAsync(baselines.GroupCommitPort, directory, files, duration);
        var groupMissing = Missing(groupCommit.Acknowledged, baselines.StoredIds());
        var app = await WrkRunner.RunAsync(shop.Port, directory, files, duration);
        var appMissing = Missing(app.Acknowledged, await StoredEventIdsAsync(database, $"evt_c{connections}_"));
        report.Ingest(connections, verifyOnly, groupCommit, groupMissing, app, appMissing);
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
        var missing = Missing(storm.Acknowledged, await StoredEventIdsAsync(database, "evt_storm_"));
        report.Storm(storm, missing, await StormEffectsAsync(database, storm.Acknowledged));
        Directory.Delete(directory, recursive: true);
    }

    Step("Checkout: 300 sequential order + PaymentIntent creations (30 more to warm up)");
    report.Checkout(await stripe.RunAsync(shop.Port, 30, 300));

    Step("Email: one connection per message (baseline), then the shop's outbox sender draining 5,000 rows");
    await using (var smtp = await EmailBenchmark.StartAsync())
    {
        var perMessage = await smtp.OneConnectionPerMessageAsync(500);
        await shop.DisposeAsync();
        await Seeder.PendingEmailsAsync(database, orders, 5_000);
        settings["Smtp__Host"] = "127.0.0.1";
        settings["Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture);
        settings["Smtp__Security"] = "None";
        settings["Smtp__From__Address"] = "shop@example.com";
        shop = await ShopProcess.StartAsync(shopExecutable, shopFolder, settings);
        var drain = await EmailBenchmark.DrainAsync(database, 5_000, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(40));
        report.Email(perMessage, drain);
    }

    await shop.DisposeAsync();
    Step("Done");
    var markdown = report.ToMarkdown(root, total.Elapsed);
    Console.WriteLine();
    Console.WriteLine(markdown);
    Report.WriteInto(Path.Combine(root, "docs", "benchmarks.md"), markdown);
    return report.AllChecksPassed ? 0 : 1;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(work, recursive: true);
}

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

static async Task<HashSet<string>> StoredEventIdsAsync(string database, string prefix)
{
    await using var db = Seeder.Open(database);
    return (await db.StripeEvents.Where(e => e.EventId.StartsWith(prefix)).Select(e => e.EventId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
}

static async Task<StormEffects> StormEffectsAsync(string database, IReadOnlyList<Delivery> acknowledged)
{
    await using var db = Seeder.Open(database);
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
