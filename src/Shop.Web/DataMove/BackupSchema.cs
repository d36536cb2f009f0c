using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>`db backup FILE` and `db restore FILE` on the shop's own provider.</summary>
public interface IShopBackups
{
    /// <returns>0 done, 1 refused or failed (and why is written).</returns>
    Task<int> BackupAsync(string file, CancellationToken cancellationToken);

    /// <returns>0 done, 1 refused or failed (and why is written); a refused or failed restore changes nothing.</returns>
    Task<int> RestoreAsync(string file, CancellationToken cancellationToken);

    public static IShopBackups For(ShopDbContext db, TextWriter output) =>
        db.Database.IsSqlite() ? new SqliteBackups(db, output) : new PostgreSqlBackups(db, output);
}

/// <summary>What both providers' restores check and say about a backup's schema.</summary>
internal static class BackupSchema
{
    public static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>pg_dump's custom format.</summary>
    public static readonly byte[] PostgreSqlHeader = "PGDMP"u8.ToArray();

    /// <summary>Why a backup with these migrations cannot be restored into this version of the shop, or null when it can.</summary>
    public static string? Refusal(IReadOnlyCollection<string> applied, ShopDbContext db)
    {
        if (applied.Count == 0)
        {
            return "it holds no shop (no migrations history).";
        }

        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        return applied.FirstOrDefault(m => !known.Contains(m)) is { } newer
            ? $"it was written by a newer version of the shop (migration {newer} is unknown to this one): restore it with that version."
            : null;
    }

    public static string AlreadyExists(string path) => $"{path} already exists; a backup never overwrites a file. Choose a new name.";

    public static string BackedUp(string path, long orders, string migration) => string.Create(CultureInfo.InvariantCulture,
        $"Backed up to {path}: {new FileInfo(path).Length:N0} bytes, {orders:N0} orders, schema {migration}.");

    public static string NotRestored(string path, string why) => $"{path} was not restored: {why} The shop's database is unchanged.";

    public static string Restored(string path, long orders, string migration) => string.Create(CultureInfo.InvariantCulture,
        $"Restored {path} ({orders:N0} orders, schema {migration}) into the shop's database. Start the shop: it migrates an older schema, and Stripe events since the backup come back through the event catch-up (Stripe keeps them 30 days).");

    /// <summary>Writes the command's last word and returns its exit code.</summary>
    public static async Task<int> SayAsync(this TextWriter output, string message, int exitCode)
    {
        await output.WriteLineAsync(message);
        return exitCode;
    }

    /// <summary>The file's first 16 bytes (fewer when it is shorter).</summary>
    public static async Task<byte[]> HeaderAsync(string path, CancellationToken cancellationToken)
    {
        var header = new byte[16];
        await using var stream = File.OpenRead(path);
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        return header[..read];
    }
}
