using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.DataMove;
using Shop.Web.Orders;

namespace Shop.Tests.DataMove;

/// <summary>
/// `db backup FILE` and `db restore FILE` on the run's provider: SQLite's online backup API, or pg_dump and a psql restore
/// in one transaction on PostgreSQL.
/// </summary>
public sealed class DatabaseBackupTests : IDisposable
{
    private static readonly DateTimeOffset s_placed = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly StripeStub _stripe = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("shop-backups-").FullName;

    [Fact]
    public async Task A_backup_taken_while_webhooks_are_written_restores_to_a_shop_that_serves_every_order_acknowledged_before_it_began()
    {
        var file = Path.Combine(_folder, "shop.backup");
        using var restored = TestDatabase.Create();
        var acknowledged = new ConcurrentQueue<string>();
        var backupDone = new TaskCompletionSource();
        string[] acknowledgedBefore;
        int backupExitCode;
        string backupOutput;
        var orders = new List<Order>();
        using (var shop = new ShopApp(_stripe))
        {
            for (var i = 0; i < 200; i++)
            {
                orders.Add(await shop.AddOrderAsync($"customer{i}@example.com", s_placed.AddMinutes(i)));
            }

            await shop.CreateAdminAsync();
            using var client = shop.CreateClient();
            // Payments arrive one after another until the backup has ended, so the backup runs among them.
            var writing = Task.Run(async () =>
            {
                foreach (var order in orders.TakeWhile(_ => !backupDone.Task.IsCompleted))
                {
                    await SqliteShopToCopy.SendAsync(client, "payment_intent.succeeded",
                        new PlacedOrder(order.PublicId, order.PaymentIntentId!, order.TotalMinorUnits, order.Currency));
                    acknowledged.Enqueue(order.PublicId);
                }
            });
            await Poll.UntilAsync(() => acknowledged.Count, count => count >= 5, count => $"{count} payments acknowledged");

            acknowledgedBefore = [.. acknowledged];
            (backupExitCode, backupOutput) = await RunAsync(shop.Database, backups => backups.BackupAsync(file, CancellationToken.None));
            backupDone.SetResult();
            await writing;
        }

        var (exitCode, output) = await RunAsync(restored, backups => backups.RestoreAsync(file, CancellationToken.None));

        Assert.True(backupExitCode == 0, backupOutput);
        Assert.True(exitCode == 0, output);
        Assert.StartsWith($"Restored {file} (200 orders", output, StringComparison.Ordinal);
        using var after = new ShopApp(_stripe, database: restored);
        using var admin = await after.AdminSessionAsync();
        var statuses = await OrderStatusesAsync(admin);
        Assert.Equal(orders.Select(o => o.PublicId).Order(), statuses.Keys.Order());
        Assert.All(acknowledgedBefore, id => Assert.Equal("Paid", statuses[id]));
    }

    [Fact]
    public async Task A_file_that_is_not_a_backup_is_refused_and_the_shop_keeps_its_orders()
    {
        using var shop = new ShopApp(_stripe);
        await shop.AddOrderAsync("ada@example.com", s_placed);
        var text = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(text, "not a backup at all\n");
        var missing = Path.Combine(_folder, "missing.backup");

        var (textExitCode, textOutput) = await RunAsync(shop.Database, backups => backups.RestoreAsync(text, CancellationToken.None));
        var (missingExitCode, missingOutput) = await RunAsync(shop.Database, backups => backups.RestoreAsync(missing, CancellationToken.None));

        Assert.Equal(1, textExitCode);
        Assert.StartsWith($"{text} was not restored: it is not a ", textOutput, StringComparison.Ordinal);
        Assert.EndsWith("The shop's database is unchanged." + Environment.NewLine, textOutput, StringComparison.Ordinal);
        Assert.Equal(1, missingExitCode);
        Assert.Equal($"{missing} was not restored: there is no such file. The shop's database is unchanged.{Environment.NewLine}", missingOutput);
        await using var db = shop.OpenDatabase();
        Assert.Equal(1, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task A_backup_of_a_newer_schema_is_refused_and_the_shop_keeps_its_orders()
    {
        const string newer = "29991231235959_FromANewerShop";
        using var shop = new ShopApp(_stripe);
        await shop.AddOrderAsync("ada@example.com", s_placed);
        await using (var db = shop.OpenDatabase())
        {
            await db.Database.ExecuteSqlRawAsync(
                $"INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('{newer}', '99.0.0')");
        }

        var file = Path.Combine(_folder, "newer.backup");
        Assert.Equal(0, (await RunAsync(shop.Database, backups => backups.BackupAsync(file, CancellationToken.None))).ExitCode);
        await using (var db = shop.OpenDatabase())
        {
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '{newer}'");
        }

        await shop.AddOrderAsync("grace@example.com", s_placed.AddHours(1));

        var (exitCode, output) = await RunAsync(shop.Database, backups => backups.RestoreAsync(file, CancellationToken.None));

        Assert.Equal(1, exitCode);
        Assert.Contains($"it was written by a newer version of the shop (migration {newer} is unknown to this one)", output, StringComparison.Ordinal);
        await using var after = shop.OpenDatabase();
        Assert.Equal(2, await after.Orders.CountAsync());
        Assert.DoesNotContain(newer, await after.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task A_backup_cut_short_is_refused_and_the_shop_keeps_its_orders()
    {
        using var shop = new ShopApp(_stripe);
        for (var i = 0; i < 300; i++)
        {
            await shop.AddOrderAsync($"customer{i}@example.com", s_placed.AddMinutes(i));
        }

        var file = Path.Combine(_folder, "cut.backup");
        Assert.Equal(0, (await RunAsync(shop.Database, backups => backups.BackupAsync(file, CancellationToken.None))).ExitCode);
        // Its last pages or blocks lost, as a copy to another machine cut short would lose them.
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length * 9 / 10)]);
        await shop.AddOrderAsync("late@example.com", s_placed.AddDays(1));

        var (exitCode, output) = await RunAsync(shop.Database, backups => backups.RestoreAsync(file, CancellationToken.None));

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{file} was not restored: ", output, StringComparison.Ordinal);
        Assert.Contains("The shop's database is unchanged.", output, StringComparison.Ordinal);
        await using var db = shop.OpenDatabase();
        Assert.Equal(301, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task A_backup_never_overwrites_a_file()
    {
        using var shop = new ShopApp(_stripe);
        await shop.AddOrderAsync("ada@example.com", s_placed);
        var file = Path.Combine(_folder, "taken.backup");
        await File.WriteAllTextAsync(file, "keep me");

        var (exitCode, output) = await RunAsync(shop.Database, backups => backups.BackupAsync(file, CancellationToken.None));

        Assert.Equal(1, exitCode);
        Assert.Contains("already exists; a backup never overwrites a file", output, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_postgresql_server_that_does_not_answer_is_a_clear_refusal_that_writes_nothing()
    {
        await using var away = new Shop.Web.Data.PostgreSqlShopDbContext(new DbContextOptionsBuilder<Shop.Web.Data.PostgreSqlShopDbContext>()
            .UseNpgsql("Host=127.0.0.1;Port=1;Username=shop;Password=shop;Database=shop;Timeout=2").Options);
        var file = Path.Combine(_folder, "away.backup");
        var dump = Path.Combine(_folder, "a.dump");
        await File.WriteAllBytesAsync(dump, "PGDMP and more"u8.ToArray());
        var backupOutput = new StringWriter();
        var restoreOutput = new StringWriter();

        var backupExitCode = await IShopBackups.For(away, backupOutput).BackupAsync(file, CancellationToken.None);
        var restoreExitCode = await IShopBackups.For(away, restoreOutput).RestoreAsync(dump, CancellationToken.None);

        Assert.Equal(1, backupExitCode);
        Assert.StartsWith("PostgreSQL at 127.0.0.1:1, database \"shop\" cannot be reached", backupOutput.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("No backup was written." + Environment.NewLine, backupOutput.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.Equal(1, restoreExitCode);
        Assert.StartsWith($"{dump} was not restored: PostgreSQL at 127.0.0.1:1", restoreOutput.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _stripe.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Runs `db backup` or `db restore` as the command does, on a context of its own, and returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(TestDatabase database, Func<IShopBackups, Task<int>> command)
    {
        var output = new StringWriter();
        await using var db = database.Open();
        var exitCode = await command(IShopBackups.For(db, output));
        return (exitCode, output.ToString());
    }

    /// <summary>Each order's status as the admin's CSV export lists it.</summary>
    private static async Task<Dictionary<string, string>> OrderStatusesAsync(ShopSession admin)
    {
        var csv = await admin.OrdersCsvAsync();
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(fields => fields[0], fields => fields[2]);
    }
}
