using System.Globalization;
using Npgsql;

namespace Shop.Benchmarks;

/// <summary>
/// Samples what the database's busy backends wait on while a run goes on (pg_stat_activity's wait events, and the locks
/// pg_locks has not granted), so the report can say where instances contend: the commit's WAL flush, a row lock on the
/// order, a lock on the outbox, or nothing (on CPU).
/// </summary>
public sealed class PostgreSqlWaits : IAsyncDisposable
{
    private const string BusyBackends = """
        SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS waiting, count(*)
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')
        GROUP BY 1
        """;

    private const string UngrantedLocks = """
        SELECT l.locktype || ' ' || l.mode || coalesce(' on ' || c.relname, ''), count(*)
        FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
        WHERE NOT l.granted
        GROUP BY 1
        """;

    private readonly Dictionary<string, long> _waits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _locks = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _samples;
    private long _busy;

    private PostgreSqlWaits(string connectionString) => _sampling = SampleAsync(connectionString);

    /// <summary>Starts sampling every 20 ms on a connection of its own (one of the database's, not one of the shop's).</summary>
    public static PostgreSqlWaits Start(string connectionString) => new(connectionString);

    /// <summary>Stops sampling and says what the busy backends waited on, the largest share first.</summary>
    public async Task<string> SummaryAsync(string run)
    {
        await _stop.CancelAsync();
        await _sampling;
        if (_busy == 0)
        {
            return $"{run}: no busy backend in {_samples:N0} samples.";
        }

        string Shares(Dictionary<string, long> counts) => string.Join(", ", counts.OrderByDescending(kv => kv.Value).Take(6)
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {100.0 * kv.Value / _busy:N0} %")));
        var locks = _locks.Count == 0 ? "no lock was ever waited for" : $"ungranted locks (per busy backend sample): {Shares(_locks)}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{run}: pg_stat_activity sampled {_samples:N0} times every 20 ms, {(double)_busy / _samples:N1} busy backends on average; what they waited on: {Shares(_waits)}; {locks}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(_stop.Token);
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (await tick.WaitForNextTickAsync(_stop.Token))
            {
                _samples++;
                _busy += await AddAsync(connection, BusyBackends, _waits);
                await AddAsync(connection, UngrantedLocks, _locks);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task<long> AddAsync(NpgsqlConnection connection, string sql, Dictionary<string, long> into)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(_stop.Token);
        long total = 0;
        while (await reader.ReadAsync(_stop.Token))
        {
            var count = reader.GetInt64(1);
            into[reader.GetString(0)] = into.GetValueOrDefault(reader.GetString(0)) + count;
            total += count;
        }

        return total;
    }
}
