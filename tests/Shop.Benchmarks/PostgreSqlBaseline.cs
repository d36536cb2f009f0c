using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Shop.Benchmarks;

/// <summary>
/// Baseline (b) on PostgreSQL: verify, parse, and insert each event through a single writer that commits whatever has
/// queued up in one transaction, one round trip per batch (unnest of arrays), with <c>synchronous_commit=on</c>, so an
/// acknowledged event has been flushed to the server's WAL, as in the shop.
/// </summary>
public sealed class PostgreSqlBaseline : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly Channel<BaselineEvent> _queue = Channel.CreateUnbounded<BaselineEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlConnection _connection;
    private readonly string _connectionString;
    private readonly WebApplication _server;
    private readonly Task _loop;

    private PostgreSqlBaseline(NpgsqlConnection connection, string connectionString, int port)
    {
        _connection = connection;
        _connectionString = connectionString;
        Port = port;
        _server = Baselines.GroupCommitServer(port, WriteAsync);
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public static async Task<PostgreSqlBaseline> StartAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "SET synchronous_commit = on; "
                + "CREATE TABLE IF NOT EXISTS baseline_events (id text PRIMARY KEY, type text NOT NULL, object_id text, received_at timestamptz NOT NULL);";
            await setup.ExecuteNonQueryAsync();
        }

        var baseline = new PostgreSqlBaseline(connection, connectionString, ShopProcess.FreePort());
        await baseline._server.StartAsync();
        return baseline;
    }

    /// <summary>Event ids in the baseline's table.</summary>
    public async Task<HashSet<string>> StoredIdsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM baseline_events", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _queue.Writer.Complete();
        await _loop;
        await _connection.DisposeAsync();
    }

    private async Task WriteAsync(BaselineEvent e)
    {
        await _queue.Writer.WriteAsync(e);
        await e.Done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<BaselineEvent>(MaxBatch);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO baseline_events (id, type, object_id, received_at) SELECT i, t, o, now() FROM unnest(@ids, @types, @objects) AS e(i, t, o) "
            + "ON CONFLICT (id) DO NOTHING", _connection);
        var ids = insert.Parameters.Add("ids", NpgsqlDbType.Array | NpgsqlDbType.Text);
        var types = insert.Parameters.Add("types", NpgsqlDbType.Array | NpgsqlDbType.Text);
        var objects = insert.Parameters.Add("objects", NpgsqlDbType.Array | NpgsqlDbType.Text);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var e))
            {
                batch.Add(e);
            }

            // One statement outside an explicit transaction is its own transaction: one commit, one WAL flush per batch.
            ids.Value = batch.Select(e => e.Id).ToArray();
            types.Value = batch.Select(e => e.Type).ToArray();
            objects.Value = batch.Select(e => e.ObjectId).ToArray();
            await insert.ExecuteNonQueryAsync();
            batch.ForEach(e => e.Done.TrySetResult());
        }
    }
}
