using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Stripe;

namespace Shop.Benchmarks;

/// <summary>
/// The two ceilings the shop's ingest is compared with, served by Kestrel in this process:
/// (a) read the body and verify the signature only; (b) verify, parse, and insert each event durably through a single
/// writer that commits whatever has queued up in one transaction (group commit, WAL, synchronous=FULL).
/// </summary>
public sealed class Baselines : IAsyncDisposable
{
    private readonly WebApplication _verifyOnly;
    private readonly WebApplication _groupCommit;
    private readonly GroupCommitWriter _writer;

    private Baselines(WebApplication verifyOnly, WebApplication groupCommit, GroupCommitWriter writer, int verifyPort, int groupCommitPort)
    {
        _verifyOnly = verifyOnly;
        _groupCommit = groupCommit;
        _writer = writer;
        VerifyOnlyPort = verifyPort;
        GroupCommitPort = groupCommitPort;
    }

    public int VerifyOnlyPort { get; }

    public int GroupCommitPort { get; }

    public string GroupCommitDatabase => _writer.Path;

    public static async Task<Baselines> StartAsync(string directory)
    {
        var verifyPort = ShopProcess.FreePort();
        var verifyOnly = Server(verifyPort);
        verifyOnly.MapPost("/webhooks/stripe", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request.BodyReader);
            return Verify(body, context.Request.Headers["Stripe-Signature"].ToString()) ? Results.Ok() : Results.BadRequest();
        });

        var writer = new GroupCommitWriter(Path.Combine(directory, "baseline-b.db"));
        var groupPort = ShopProcess.FreePort();
        var groupCommit = GroupCommitServer(groupPort, writer.WriteAsync);

        await verifyOnly.StartAsync();
        await groupCommit.StartAsync();
        return new Baselines(verifyOnly, groupCommit, writer, verifyPort, groupPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _verifyOnly.DisposeAsync();
        await _groupCommit.DisposeAsync();
        await _writer.DisposeAsync();
    }

    /// <summary>Event ids in baseline (b)'s table.</summary>
    public HashSet<string> StoredIds()
    {
        using var connection = new SqliteConnection($"Data Source={_writer.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM events";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>A server that verifies, parses, and hands each event to <paramref name="write"/>, answering once it is durable.</summary>
    internal static WebApplication GroupCommitServer(int port, Func<BaselineEvent, Task> write)
    {
        var server = Server(port);
        server.MapPost("/webhooks/stripe", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request.BodyReader);
            if (!Verify(body, context.Request.Headers["Stripe-Signature"].ToString()))
            {
                return Results.BadRequest();
            }

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var id = root.GetProperty("id").GetString()!;
            var type = root.GetProperty("type").GetString()!;
            var objectId = root.GetProperty("data").GetProperty("object").GetProperty("id").GetString();
            await write(new BaselineEvent(id, type, objectId));
            return Results.Ok();
        });
        return server;
    }

    private static WebApplication Server(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return builder.Build();
    }

    private static async Task<byte[]> ReadBodyAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static bool Verify(byte[] body, string header)
    {
        try
        {
            EventUtility.ValidateSignature(Encoding.UTF8.GetString(body), header, EventFiles.Secret, 300);
            return true;
        }
        catch (StripeException)
        {
            return false;
        }
    }

    /// <summary>One writer, one connection, one transaction per drained queue.</summary>
    private sealed class GroupCommitWriter : IAsyncDisposable
    {
        private readonly Channel<BaselineEvent> _queue = Channel.CreateUnbounded<BaselineEvent>(new UnboundedChannelOptions { SingleReader = true });
        private readonly SqliteConnection _connection;
        private readonly Task _loop;

        public GroupCommitWriter(string path)
        {
            Path = path;
            _connection = new SqliteConnection($"Data Source={path}");
            _connection.Open();
            using var setup = _connection.CreateCommand();
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                + "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, type TEXT NOT NULL, object_id TEXT, received_at INTEGER NOT NULL);";
            setup.ExecuteNonQuery();
            _loop = Task.Run(LoopAsync);
        }

        public string Path { get; }

        public async Task WriteAsync(BaselineEvent e)
        {
            await _queue.Writer.WriteAsync(e);
            await e.Done.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.Complete();
            await _loop;
            await _connection.DisposeAsync();
        }

        private async Task LoopAsync()
        {
            var batch = new List<BaselineEvent>(256);
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO events (id, type, object_id, received_at) VALUES ($id, $type, $object, $at) ON CONFLICT (id) DO NOTHING";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var type = insert.Parameters.Add("$type", SqliteType.Text);
            var objectId = insert.Parameters.Add("$object", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < 256 && _queue.Reader.TryRead(out var e))
                {
                    batch.Add(e);
                }

                using (var transaction = _connection.BeginTransaction())
                {
                    insert.Transaction = transaction;
                    foreach (var e in batch)
                    {
                        id.Value = e.Id;
                        type.Value = e.Type;
                        objectId.Value = (object?)e.ObjectId ?? DBNull.Value;
                        at.Value = DateTimeOffset.UtcNow.UtcTicks;
                        insert.ExecuteNonQuery();
                    }

                    transaction.Commit();
                }

                batch.ForEach(e => e.Done.TrySetResult());
            }
        }
    }
}

/// <summary>One verified, parsed event waiting for a baseline's writer; Done completes once its batch is committed.</summary>
internal sealed record BaselineEvent(string Id, string Type, string? ObjectId)
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
