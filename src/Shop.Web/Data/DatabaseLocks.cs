using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Shop.Web.Data;

/// <summary>
/// "Only one instance at a time" for work that several shop instances must not do together (asking Stripe about the same
/// orders, migrating the schema). On PostgreSQL a session advisory lock held on its own connection for as long as the
/// work runs: the server releases it when the holder unlocks or its connection ends, so an instance that dies never
/// leaves it held. On SQLite the shop is one process by design, and the lock is granted at once.
/// </summary>
public sealed class DatabaseLocks(IOptions<DatabaseOptions> options)
{
    /// <summary>The lock if no one holds it, else null at once (the work is being done elsewhere: skip this round).</summary>
    public Task<DatabaseLock?> TryAcquireAsync(string name, CancellationToken cancellationToken) =>
        AcquireAsync(name, "SELECT pg_try_advisory_lock(@key)", cancellationToken);

    /// <summary>The lock, waiting for whoever holds it.</summary>
    public async Task<DatabaseLock> AcquireAsync(string name, CancellationToken cancellationToken) =>
        (await AcquireAsync(name, "SELECT true FROM pg_advisory_lock(@key)", cancellationToken))!;

    /// <summary>The advisory lock key for a name: stable across processes and versions (string.GetHashCode is neither).</summary>
    public static long KeyOf(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("shop:" + name)));

    // The PostgreSQL work is in methods of its own: a method that holds an Npgsql type loads Npgsql (2.5 MB) when it first
    // runs, which a shop on SQLite never needs.
    private Task<DatabaseLock?> AcquireAsync(string name, string sql, CancellationToken cancellationToken) =>
        options.Value.UsesPostgreSql
            ? AcquireAdvisoryLockAsync(options.Value.ConnectionString, name, sql, cancellationToken)
            : Task.FromResult<DatabaseLock?>(DatabaseLock.Uncontended);

    private static async Task<DatabaseLock?> AcquireAdvisoryLockAsync(string? connectionString, string name, string sql, CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        var connection = new NpgsqlConnection(connectionString);
        var locked = false;
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("key", key);
            locked = await command.ExecuteScalarAsync(cancellationToken) is true;
            return locked ? new DatabaseLock(connection, key) : null;
        }
        finally
        {
            if (!locked)
            {
                await connection.DisposeAsync();
            }
        }
    }
}

/// <summary>A held <see cref="DatabaseLocks"/> lock; disposing it releases it.</summary>
public sealed class DatabaseLock : IAsyncDisposable
{
    internal static readonly DatabaseLock Uncontended = new(null, 0);

    private readonly NpgsqlConnection? _connection;
    private readonly long _key;

    internal DatabaseLock(NpgsqlConnection? connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    public ValueTask DisposeAsync() => _connection is null ? ValueTask.CompletedTask : ReleaseAsync(_connection, _key);

    private static async ValueTask ReleaseAsync(NpgsqlConnection connection, long key)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection is gone (the server restarted, say), and with it the lock: there is nothing left to release.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
