using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shop.Web.Data;

/// <summary>
/// Sets SQLite's per-connection durability on every connection it opens (WAL itself is stored in the file and is set
/// once at start-up by <see cref="DatabaseInitializer"/>). synchronous=FULL syncs the WAL on every commit: once the shop
/// answers Stripe with 200 the event survives a crash or power loss (NORMAL could lose the last commits on power loss, and Stripe would never deliver them again).
/// busy_timeout makes a second writer wait for the first instead of failing at once. wal_autocheckpoint is raised from
/// 1,000 pages to 10,000 (40 MB) because <see cref="SqliteCheckpointer"/> checkpoints in the background; the threshold
/// remains as the bound on the log if that worker falls behind.
/// </summary>
public sealed class SqliteDurabilityInterceptor : DbConnectionInterceptor
{
    internal const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
