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
public sealed class SqliteBackups(ShopDbContext db, TextWriter output) : IShopBackups
{
    public async Task<int> BackupAsync(string file, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(file);
        if (File.Exists(path))
        {
            return await output.SayAsync(BackupSchema.AlreadyExists(path), 1);
        }

        // Written under another name and moved when complete: a backup cut short never looks like one.
        var partial = path + ".partial";
        File.Delete(partial);
        await using (var shop = new SqliteConnection(db.Database.GetConnectionString()))
        await using (var backup = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            await shop.OpenAsync(cancellationToken);
            await backup.OpenAsync(cancellationToken);
            // One step, under one read transaction: the copy is the database as of one commit.
            shop.BackupDatabase(backup);
        }

        File.Move(partial, path);

        var (migration, orders) = await DescribeAsync(path, cancellationToken);
        return await output.SayAsync(BackupSchema.BackedUp(path, orders, migration), 0);
    }

    public async Task<int> RestoreAsync(string file, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(file);
        if (await CheckBackupAsync(path, cancellationToken) is { } notABackup)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, notABackup), 1);
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
        return await output.SayAsync(BackupSchema.Restored(path, orders, migration), 0);
    }

    /// <summary>Why the file cannot be restored into this version of the shop, or null when it can.</summary>
    private async Task<string?> CheckBackupAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return "there is no such file.";
        }

        var header = await BackupSchema.HeaderAsync(path, cancellationToken);
        if (header.AsSpan().StartsWith(BackupSchema.PostgreSqlHeader))
        {
            return "it is a backup of a shop on PostgreSQL (pg_dump), and this shop runs on SQLite: restore it into a shop on PostgreSQL.";
        }

        if (!header.AsSpan().SequenceEqual(BackupSchema.SqliteHeader))
        {
            return "it is not a SQLite database, so not a backup of a shop on SQLite.";
        }

        List<string> applied;
        try
        {
            // A file cut short still opens, and would be copied page by page as it is.
            if (await QuickCheckAsync(path, cancellationToken) is { } damage)
            {
                return $"it is damaged ({damage}).";
            }

            applied = await AppliedMigrationsAsync(path, cancellationToken);
        }
        catch (SqliteException ex)
        {
            return $"it cannot be read as a shop's database ({ex.Message}).";
        }

        return BackupSchema.Refusal(applied, db);
    }

    /// <summary>SQLite's quick_check of the file: null when it is sound, else its first complaint.</summary>
    private static async Task<string?> QuickCheckAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = ReadOnly(path);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(1)";
        var result = (string?)await command.ExecuteScalarAsync(cancellationToken);
        return result == "ok" ? null : result;
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
}
