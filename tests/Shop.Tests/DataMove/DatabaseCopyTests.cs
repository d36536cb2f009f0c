using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Shop.Emulator.Inbox;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Tests.DataMove;

/// <summary>
/// `db copy --to`: a shop that ran on a real SQLite file is copied into a fresh database on the run's PostgreSQL server,
/// and a shop started on the copy carries on. PostgreSQL-only, like the cluster tests: scripts/test.sh runs them in its
/// PostgreSql pass.
/// </summary>
public sealed class DatabaseCopyTests : IDisposable
{
    private readonly StripeStub _stripe = new();

    [PostgreSqlFact]
    public async Task A_shop_started_on_the_copy_serves_the_same_orders_admin_emails_and_events()
    {
        using var source = await SqliteShopToCopy.WithOrdersInEveryStatusAsync(_stripe);
        using var target = TestDatabase.CreatePostgreSql();
        await using var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0 });
        await using var before = source.Database.Open();
        var orders = await before.OrdersAsync();
        var pending = await before.Outbox.Where(m => m.Status == OutboxStatus.Pending).Select(m => m.Id).ToListAsync();
        var eventsBefore = await before.StripeEvents.CountAsync();
        var checkpoint = await before.CatchUpCheckpoints.SingleAsync();

        var (exitCode, output) = await source.CopyToAsync(target.ConnectionString);

        Assert.True(exitCode == 0, output);
        Assert.Contains("counts and checksums are equal", output, StringComparison.Ordinal);
        using var shop = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = inbox.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From:Address"] = "orders@shop.test",
        }, target);
        using var client = shop.CreateClient();
        await using (var copy = target.Open())
        {
            Assert.Equal(orders, await copy.OrdersAsync());
            Assert.Equal(["AwaitingPayment", "Disputed", "NeedsReview", "Paid", "PaymentFailed", "Refunded"],
                (await copy.Orders.Select(o => o.Status).Distinct().ToListAsync()).Select(s => s.ToString()).Order().ToArray());
        }

        using var admin = shop.NewSession();
        Assert.Equal("/admin", (await admin.SignInAsync()).Location?.OriginalString);
        Assert.Equal(source.OrdersCsv, await admin.OrdersCsvAsync());
        await using (var copy = target.Open())
        {
            // The catch-up goes on from where the SQLite shop had listed Stripe's events.
            Assert.Equal(checkpoint.ListedUntil.UtcTicks / 10, (await copy.CatchUpCheckpoints.SingleAsync()).ListedUntil.UtcTicks / 10);
        }

        var sent = await Poll.UntilAsync(async () =>
        {
            await using var db = target.Open();
            return await db.Outbox.AsNoTracking().ToListAsync();
        }, rows => rows.Count(r => r.Status == OutboxStatus.Sent) == pending.Count, rows => string.Join("; ", rows.Select(r => $"{r.Kind} {r.Status}")));
        Assert.Equal(pending.Order(), sent.Where(r => r.Status == OutboxStatus.Sent).Select(r => r.Id).Order());
        Assert.Single(sent, r => r.Status == OutboxStatus.Failed);
        // Each pending email once: the shop's Message-ID is its outbox row's id.
        Assert.Equal(pending.Select(id => id.ToString("N")).Order(), inbox.Messages.Select(m => m.MessageId!.Split('@')[0]).Order());

        await SqliteShopToCopy.SendAsync(client, "payment_intent.succeeded", source.Awaiting);
        await SqliteShopToCopy.SendAsync(client, "charge.refunded", source.Refunded, SqliteShopToCopy.RefundEventId,
            e => e["data"]!["object"]!["amount_refunded"] = source.Refunded.Amount);
        var placedOnTheCopy = await shop.PlaceOrderAsync();

        await using var after = target.Open();
        Assert.Equal(OrderStatus.Paid, (await after.Orders.SingleAsync(o => o.PublicId == source.Awaiting.PublicId)).Status);
        // The refund event was recorded before the copy: a duplicate, so only the new payment event is added.
        Assert.Equal(eventsBefore + 1, await after.StripeEvents.CountAsync());
        Assert.Equal(1, await after.StripeEvents.CountAsync(e => e.EventId == SqliteShopToCopy.RefundEventId));
        Assert.Equal(orders.Count + 1, await after.Orders.CountAsync());
        Assert.NotNull(placedOnTheCopy.PaymentIntentId);
        // The one email more is the receipt of the payment made after the copy.
        var messages = await Poll.UntilAsync(() => inbox.Messages, m => m.Count > pending.Count, m => $"{m.Count} messages");
        Assert.Equal(pending.Count + 1, messages.Count);
    }

    [PostgreSqlFact]
    public async Task A_target_that_already_holds_shop_data_is_refused_and_left_as_it_was()
    {
        using var source = await SqliteShopToCopy.WithOrdersInEveryStatusAsync(_stripe);
        using var target = TestDatabase.CreatePostgreSql();
        Assert.Equal(0, (await source.CopyToAsync(target.ConnectionString)).ExitCode);
        await using (var db = source.Database.Open())
        {
            db.Orders.Add(Order.Place(new CustomerDetails("late@example.com", "Late", new ShippingAddress { Line1 = "1 A St", City = "B", PostalCode = "1", Country = "GB" }),
                [new OrderLine { ProductId = 1, ProductName = "Canvas tote", UnitPriceMinorUnits = 100, Currency = "usd", Quantity = 1 }], "usd", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var (exitCode, output) = await source.CopyToAsync(target.ConnectionString);

        Assert.Equal(1, exitCode);
        Assert.Contains("already holds shop data", output, StringComparison.Ordinal);
        await using var copy = target.Open();
        Assert.Equal(6, await copy.Orders.CountAsync());
    }

    [PostgreSqlFact]
    public async Task A_source_behind_the_code_is_refused_before_the_target_is_touched()
    {
        using var source = TestDatabase.CreateSqlite();
        using var target = TestDatabase.CreatePostgreSql();
        await using (var db = source.Open())
        {
            var migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
        }

        await using var from = source.Open();
        var output = new StringWriter();
        var exitCode = await new Shop.Web.DataMove.DatabaseCopy(from, output).RunAsync(target.ConnectionString, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("behind the code (1 migration(s) not applied", output.ToString(), StringComparison.Ordinal);
        await using var to = target.Open();
        Assert.Empty(await to.Database.GetAppliedMigrationsAsync());
    }

    [PostgreSqlFact]
    public async Task A_copy_whose_connection_is_killed_half_way_leaves_the_target_empty_and_the_next_run_copies_everything()
    {
        using var source = await SqliteShopToCopy.WithOrdersInEveryStatusAsync(_stripe);
        using var target = TestDatabase.CreatePostgreSql();
        var killer = new KillOnFirstBatch(target);

        var (failedExitCode, failedOutput) = await source.CopyToAsync(target.ConnectionString, killer, batchRows: 2);
        int ordersAfterTheKill;
        await using (var copy = target.Open())
        {
            ordersAfterTheKill = await copy.Orders.CountAsync();
        }

        var (exitCode, output) = await source.CopyToAsync(target.ConnectionString, batchRows: 2);

        Assert.True(killer.Killed, failedOutput);
        Assert.Equal(1, failedExitCode);
        Assert.Contains("run the same command again", failedOutput, StringComparison.Ordinal);
        Assert.Equal(0, ordersAfterTheKill);
        Assert.True(exitCode == 0, output);
        await using var after = target.Open();
        await using var before = source.Database.Open();
        Assert.Equal(await before.OrdersAsync(), await after.OrdersAsync());
    }

    [Fact]
    public async Task A_connection_string_that_is_not_postgresql_or_a_server_that_does_not_answer_is_a_clear_refusal()
    {
        using var source = await SqliteShopToCopy.WithOrdersInEveryStatusAsync(_stripe);

        var (wrongExit, wrong) = await source.CopyToAsync("Data Source=shop.db");
        var (awayExit, away) = await source.CopyToAsync("Host=127.0.0.1;Port=1;Username=shop;Password=shop;Database=shop;Timeout=2");

        Assert.Equal(1, wrongExit);
        Assert.StartsWith("--to is not a PostgreSQL connection string", wrong, StringComparison.Ordinal);
        Assert.Equal(1, awayExit);
        Assert.StartsWith("PostgreSQL at 127.0.0.1:1, database \"shop\" cannot be reached", away, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed." + Environment.NewLine, away, StringComparison.Ordinal);
    }

    public void Dispose() => _stripe.Dispose();

    /// <summary>
    /// Ends the copy's connection to the target once the first batch of orders is written, as a killed process or a
    /// lost network would: the server sees the connection go and rolls back what it had not committed.
    /// </summary>
    private sealed class KillOnFirstBatch(TestDatabase target) : StringWriter(CultureInfo.InvariantCulture)
    {
        public bool Killed { get; private set; }

        public override async Task WriteLineAsync(string? value)
        {
            await base.WriteLineAsync(value);
            if (!Killed && value is not null && value.StartsWith("  Orders: 2 /", StringComparison.Ordinal))
            {
                Killed = true;
                await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
                await server.OpenAsync();
                await using var kill = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", server);
                kill.Parameters.AddWithValue("name", new NpgsqlConnectionStringBuilder(target.ConnectionString).Database!);
                await kill.ExecuteNonQueryAsync();
            }
        }
    }
}
