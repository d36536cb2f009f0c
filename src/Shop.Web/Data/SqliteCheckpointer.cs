using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;

namespace Shop.Web.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file in the background, woken by commits, so no webhook's
/// commit pays for it (docs/decisions/0006-sqlite-durability.md).
/// </summary>
public sealed class SqliteCheckpointer(IOptions<DatabaseOptions> database, WorkerLoop loop, TimeProvider time, ILogger<SqliteCheckpointer> logger)
    : BackgroundService, IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public const string WorkerName = "sqlite-checkpointer";

    /// <summary>Short enough that a checkpoint copies a few megabytes at full ingest speed; long enough to cost little.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<bool> _commits = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Explicit transactions (the event writer's, checkout's) end in a commit; a single-statement SaveChanges has none.
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => NoteCommit();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        NoteCommit();
        return Task.CompletedTask;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NoteCommit();
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NoteCommit();
        return ValueTask.FromResult(result);
    }

    private void NoteCommit() => _commits.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SqliteConnection? connection = null;
        try
        {
            await loop.RunAsync(WorkerName, logger, async ct =>
            {
                connection ??= await OpenAsync(ct);
                try
                {
                    await using var checkpoint = connection.CreateCommand();
                    // PASSIVE: copies what no reader still needs and waits for no one; what is left goes in a later pass.
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await checkpoint.ExecuteNonQueryAsync(ct);
                    return false;
                }
                catch
                {
                    // The next pass, after the loop's backoff, starts on a fresh connection.
                    await connection.DisposeAsync();
                    connection = null;
                    throw;
                }
            }, async ct =>
            {
                await Task.Delay(MinInterval, time, ct);
                await _commits.Reader.ReadAsync(ct);
            }, stoppingToken);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = SqliteDurabilityInterceptor.Pragmas;
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
