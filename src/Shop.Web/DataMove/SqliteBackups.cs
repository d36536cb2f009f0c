using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>
/// `db backup FILE` and `db restore FILE` for a shop on SQLite. A backup uses SQLite's online backup API: one consistent
/// snapshot of the file, taken while the shop goes on serving and writing (WAL readers do not block its writer). A restore
/// copies a checked backup over the shop's file in one transaction, with the shop stopped.
/// </summary>
public sealed class SqliteBackups(ShopDbContext db, TextWriter output)
{
    private static readonly byte[] s_sqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <returns>0 done, 1 refused (and why is written).</returns>
    public async Task<int> BackupAsync(string file, CancellationToken cancellationToken)
    {
        if (RefuseUnlessSqlite() is { } refused)
        {
            return await SayAsync(refused, 1);
        }

        var path = Path.GetFullPath(file);
        if (File.Exists(path))
        {
            return await SayAsync($"{path} already exists; a backup never overwrites a file. Choose a new name.", 1);
        }

        await using (var shop = new SqliteConnection(db.Database.GetConnectionString()))
        await using (var backup = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await shop.OpenAsync(cancellationToken);
            await backup.OpenAsync(cancellationToken);
            // One step, under one read transaction: the copy is the database as of one commit.
            shop.BackupDatabase(backup);
        }

        var (migration, orders) = await DescribeAsync(path, cancellationToken);
        return await SayAsync(string.Create(CultureInfo.InvariantCulture,
            $"Backed up to {path}: {new FileInfo(path).Length:N0} bytes, {orders:N0} orders, schema {migration}."), 0);
    }

    /// <returns>0 done, 1 refused (and why is written).</returns>
    public async Task<int> RestoreAsync(string file, CancellationToken cancellationToken)
    {
        if (RefuseUnlessSqlite() is { } refused)
        {
            return await SayAsync(refused, 1);
        }

        var path = Path.GetFullPath(file);
        if (await CheckBackupAsync(path, cancellationToken) is { } notABackup)
        {
            return await SayAsync($"{path} was not restored: {notABackup} The shop's database is unchanged.", 1);
        }

        await using (var backup = ReadOnly(path))
        await using (var shop = new SqliteConnection(db.Database.GetConnectionString()))
        {
            await backup.OpenAsync(cancellationToken);
            await shop.OpenAsync(cancellationToken);
            // The destination is written in one transaction: a restore cut short leaves the shop's file as it was.
            backup.BackupDatabase(shop);
        }

        SqliteConnection.ClearAllPools();
        var (migration, orders) = await DescribeAsync(path, cancellationToken);
        return await SayAsync(string.Create(CultureInfo.InvariantCulture,
            $"Restored {path} ({orders:N0} orders, schema {migration}) into the shop's database. Start the shop: it migrates an older schema, and Stripe events since the backup come back through the event catch-up (Stripe keeps them 30 days)."), 0);
    }

    private string? RefuseUnlessSqlite() => db.Database.IsSqlite()
        ? null
        : "The shop runs on PostgreSQL: back it up with pg_dump and restore with pg_restore (scripts/postgres.sh backup|restore FILE for the local server; README, \"Backups\").";

    /// <summary>Why the file cannot be restored into this version of the shop, or null when it can.</summary>
    private async Task<string?> CheckBackupAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return "there is no such file.";
        }

        var header = new byte[s_sqliteHeader.Length];
        await using (var stream = File.OpenRead(path))
        {
            if (await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken) < header.Length || !header.SequenceEqual(s_sqliteHeader))
            {
                return "it is not a SQLite database, so not a backup of the shop.";
            }
        }

        List<string> applied;
        try
        {
            applied = await AppliedMigrationsAsync(path, cancellationToken);
        }
        catch (SqliteException ex)
        {
            return $"it cannot be read as a shop's database ({ex.Message}).";
        }

        if (applied.Count == 0)
        {
            return "it is a SQLite database but holds no shop (no migrations history).";
        }

        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        return applied.FirstOrDefault(m => !known.Contains(m)) is { } newer
            ? $"it was written by a newer version of the shop (migration {newer} is unknown to this one): restore it with that version."
            : null;
    }

    private static async Task<List<string>> AppliedMigrationsAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = ReadOnly(path);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId";
        var applied = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    private static async Task<(string Migration, long Orders)> DescribeAsync(string path, CancellationToken cancellationToken)
    {
        var migration = (await AppliedMigrationsAsync(path, cancellationToken)).LastOrDefault() ?? "none";
        await using var connection = ReadOnly(path);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Orders";
        return (migration, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
    }

    /// <summary>Unpooled, so the file is closed as soon as it is read.</summary>
    private static SqliteConnection ReadOnly(string path) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());

    private async Task<int> SayAsync(string message, int exitCode)
    {
        await output.WriteLineAsync(message);
        return exitCode;
    }
}
