using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;

namespace Shop.Tests.Data;

public sealed class SqliteDurabilityTests
{
    [SqliteFact]
    public async Task The_database_file_is_in_wal_mode_and_the_shops_connections_sync_every_commit()
    {
        using var app = new ShopApp();
        using var client = app.CreateClient();

        await using var raw = new SqliteConnection($"Data Source={app.Database.SqliteFilePath}");
        await raw.OpenAsync();
        await using var journal = raw.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode;";
        var journalMode = (string?)await journal.ExecuteScalarAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var sync = db.Database.GetDbConnection().CreateCommand();
        sync.CommandText = "PRAGMA synchronous;";
        var synchronous = (long?)await sync.ExecuteScalarAsync();

        Assert.Equal("wal", journalMode);
        Assert.Equal(2, synchronous); // 2 = FULL
    }

    [SqliteFact]
    public async Task Commits_wake_a_background_checkpoint_so_the_log_starts_over_long_before_sqlites_own_threshold()
    {
        using var app = new ShopApp();
        using var client = app.CreateClient();
        await SaveACartAsync(app);
        var before = CheckpointSequence(app.Database.SqliteFilePath);

        // A write after a complete checkpoint starts the log over, which numbers its header anew. Each cart is a page or
        // two: SQLite itself would only checkpoint after 10,000.
        var after = await Poll.UntilAsync(async () =>
        {
            await SaveACartAsync(app);
            return CheckpointSequence(app.Database.SqliteFilePath);
        }, sequence => sequence != before, sequence => $"the log's checkpoint sequence is still {sequence}");

        Assert.NotEqual(before, after);
    }

    /// <summary>A commit through the shop's own context, as every write of the shop is made.</summary>
    private static async Task SaveACartAsync(ShopApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        db.Carts.Add(new Shop.Web.Carts.Cart { Id = Guid.NewGuid(), UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    /// <summary>The checkpoint sequence number in the write-ahead log's header (bytes 12–15, big-endian).</summary>
    private static uint CheckpointSequence(string databasePath)
    {
        using var log = new FileStream(databasePath + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[16];
        log.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
    }
}
