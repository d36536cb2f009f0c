// Over 300 lines on purpose: one sender pass (claim, heartbeat, SMTP connections, sent marks, failures and retries) reads
// best as one story; the database halves are OutboxClaim and SentRecorder.
using System.Data.Common;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Email;

/// <summary>
/// Sends the outbox's due messages over SMTP. Each batch is claimed with a lease first (<see cref="OutboxClaim"/>: only
/// rows no one holds), so several shop instances on one database never send the same row at once; a heartbeat renews the
/// lease while the batch is sent, so a dead instance's rows wait at most one lease for another. A batch is shared out
/// over up to <see cref="SmtpOptions.Connections"/> SMTP connections at once, and the messages the server accepted are
/// marked sent together when it ends (<see cref="SentRecorder"/>): a batch costs the database the same few round trips
/// whatever its size, and a crash re-sends at most one batch, each message with its Message-Id. When the server cannot be
/// reached or refuses our login, the whole sender backs off (its <see cref="WorkerLoop"/>) and the waiting messages keep
/// their attempts.
/// </summary>
public sealed class OutboxSender(
    IServiceScopeFactory scopes,
    CustomerEmailComposer composer,
    OutboxSignal signal,
    WorkerLoop loop,
    IOptions<SmtpOptions> options,
    ShopMetrics metrics,
    TimeProvider time,
    ILogger<OutboxSender> logger) : BackgroundService
{
    public const string WorkerName = "outbox-sender";

    /// <summary>
    /// A connection (connect, EHLO, STARTTLS, login) costs the server and the shop several messages' worth: a batch opens
    /// another only for at least this many more messages.
    /// </summary>
    public const int MessagesPerConnection = 8;

    // Identifies this process in LockedBy, for whoever looks at a stuck row; each claim appends its own token.
    private readonly string _instance = $"{Environment.MachineName[..Math.Min(Environment.MachineName.Length, 40)]}/{Environment.ProcessId}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var smtp = options.Value;
        if (!smtp.IsConfigured)
        {
            logger.LogWarning("Smtp:Host is not configured: customer emails stay pending in the outbox and are sent once it is");
            return Task.CompletedTask;
        }

        return loop.RunAsync(WorkerName, logger,
            // A full batch suggests more are due: go on at once instead of waiting.
            async ct => await SendDueBatchAsync(smtp, ct) >= smtp.BatchSize,
            ct => signal.WaitAsync(smtp.PollInterval, time, ct),
            stoppingToken,
            new Backoff(smtp.RetryBaseDelay, smtp.RetryMaxDelay));
    }

    /// <summary>Claims one batch of due messages, sends it and records the outcome; returns how many were claimed.</summary>
    internal async Task<int> SendDueBatchAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var claim = await OutboxClaim.TakeAsync(db, $"{_instance}/{Guid.NewGuid():N}", smtp.BatchSize, smtp.LeaseDuration, time, cancellationToken);
        if (claim is null)
        {
            return 0;
        }

        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = KeepClaimAsync(claim, smtp.LeaseDuration, heartbeatStop.Token);
        try
        {
            var ids = claim.Ids.ToArray();
            var rows = await db.Outbox.AsNoTracking().Where(m => ids.Contains(m.Id) && m.LockedBy == claim.Token).OrderBy(m => m.NextAttemptAt)
                .ToListAsync(cancellationToken);
            var orderIds = rows.Select(m => m.OrderId).Distinct().ToList();
            var orders = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
            using var batch = new Batch(db, new SentRecorder(db, claim.Token, time, logger), claim, orders);
            try
            {
                // Dealt out in turn, so the connections together still send the oldest first.
                var connections = Math.Clamp(rows.Count / MessagesPerConnection, 1, smtp.Connections);
                var sends = Enumerable.Range(0, connections)
                    .Select(c => SendAsync(batch, smtp, rows.Where((_, i) => i % connections == c).ToList(), cancellationToken)).ToArray();
                // Every connection ends its part before the batch is recorded; the first failure (an unreachable server,
                // stopping) then backs off the sender, the others' accepted messages recorded all the same.
                await Task.WhenAll(sends);
            }
            finally
            {
                // Whatever the server accepted is recorded even when the batch ends early (stopping, the lease, a dropped
                // connection): only a crash may send it again.
                await batch.Recorder.FlushAsync();
            }

            return claim.Count;
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            // Whatever this batch did not get to (stopping, lease running out, a crash of the loop) is free again at once
            // rather than when the lease expires.
            await claim.ReleaseAsync(db);
        }
    }

    /// <summary>
    /// The claim's heartbeat: renews the lease every quarter of it until the batch ends, on a context of its own (the
    /// batch's is busy). A renewal that fails is retried at the next beat; if they keep failing the batch stops by itself
    /// before the lease ends (<see cref="OutboxClaim.EndsWithin"/>), so no other instance can take a row it is sending.
    /// </summary>
    private async Task KeepClaimAsync(OutboxClaim claim, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        try
        {
            while (true)
            {
                await Task.Delay(lease / 4, time, cancellationToken);
                try
                {
                    await claim.RenewAsync(db, cancellationToken);
                }
                catch (Exception ex) when (ex is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "The lease of an outbox batch ({Count} emails) could not be renewed", claim.Count);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The batch ended.
        }
    }

    /// <summary>One connection's share of a batch, sent in order over one SMTP session.</summary>
    private async Task SendAsync(Batch batch, SmtpOptions smtp, List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var client = NewClient(smtp);
        await using var renderer = composer.StartRendering();
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var order = batch.Orders[row.OrderId];
                using var activity = ShopTelemetry.Source.StartActivity(ShopTelemetry.EmailSendSpan);
                activity?.SetTag(ShopTelemetry.EmailKindTag, KindName(row.Kind)).SetTag(ShopTelemetry.OrderIdTag, order.PublicId)
                    .SetTag(ShopTelemetry.OutboxIdTag, row.Id);
                // Only when heartbeats failed: a message started now must be through before another instance may take it.
                if (batch.Claim.EndsWithin(smtp.Timeout))
                {
                    logger.LogWarning("The outbox batch's lease runs out; {Count} messages are left for the next batch", rows.Count - i);
                    return;
                }

                var message = await TryComposeAsync(batch, smtp, row, order, renderer, cancellationToken);
                if (message is null)
                {
                    continue;
                }

                if (!client.IsConnected)
                {
                    await ConnectOrBackOffAsync(client, batch, smtp, rows.Skip(i).Select(r => r.Id).ToList(), cancellationToken);
                }

                try
                {
                    await client.SendAsync(message, cancellationToken);
                }
                catch (Exception ex) when (DeliveryFailure.Classify(ex, cancellationToken) is { } kind)
                {
                    logger.LogWarning(ex, "{EmailKind} email {OutboxId} for order {OrderId} was not accepted ({FailureKind})",
                        row.Kind, row.Id, order.PublicId, kind);
                    activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, DeliveryFailure.Describe(ex));
                    await RecordFailureAsync(batch, smtp, row, kind, ex);
                    if (!client.IsConnected || kind == DeliveryFailureKind.Transient)
                    {
                        // After a dropped or confused session, the next message starts on a fresh connection.
                        client.Dispose();
                        client = NewClient(smtp);
                    }

                    continue;
                }

                batch.Recorder.Accepted(row);
                metrics.EmailsSent.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EmailKindTag, KindName(row.Kind)));
                logger.LogInformation("{EmailKind} email {OutboxId} for order {OrderId} sent", row.Kind, row.Id, order.PublicId);
            }

            await QuitAsync(client, cancellationToken);
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task<MimeKit.MimeMessage?> TryComposeAsync(Batch batch, SmtpOptions smtp, OutboxMessage row, Order order, EmailRenderer renderer,
        CancellationToken cancellationToken)
    {
        try
        {
            return await composer.ComposeAsync(row, order, renderer);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A template bug must not hold up other customers' emails: this one is logged, keeps the error and backs
            // off like a transient failure, so a fixed deployment still sends it (until Smtp:GiveUpAfter).
            logger.LogError(ex, "{EmailKind} email {OutboxId} for order {OrderId} could not be composed", row.Kind, row.Id, order.PublicId);
            await RecordFailureAsync(batch, smtp, row, DeliveryFailureKind.Transient, ex);
            return null;
        }
    }

    /// <summary>
    /// Connects (and logs in); when that fails, the server or our credentials are at fault, not the messages: they keep
    /// their attempts and stay due, their LastError says why they wait, and the exception backs off the whole sender.
    /// </summary>
    private static async Task ConnectOrBackOffAsync(SmtpClient client, Batch batch, SmtpOptions smtp, List<Guid> waiting,
        CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(client, smtp, cancellationToken);
        }
        catch (Exception ex) when (DeliveryFailure.Classify(ex, cancellationToken) is not null)
        {
            var reason = "Waiting for the SMTP server: " + DeliveryFailure.Describe(ex);
            await batch.WriteAsync(db => db.Outbox.Where(m => waiting.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastError, reason), CancellationToken.None));
            throw new SmtpUnavailableException(
                $"Could not connect or log in to the SMTP server {smtp.Host}:{smtp.Port}; {waiting.Count} emails wait for it.", ex);
        }
    }

    /// <summary>Connects and logs in as configured; also the health check's SMTP probe.</summary>
    internal static async Task ConnectAsync(SmtpClient client, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var security = smtp.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.None,
        };
        // Host is set (the sender does not start without it); Username and Password come together (validated).
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password!, cancellationToken);
        }
    }

    private async Task QuitAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (DeliveryFailure.Classify(ex, cancellationToken) is not null)
        {
            // Every message is already accepted and recorded; a server that hangs up before QUIT changes nothing.
            logger.LogDebug(ex, "The SMTP server closed the connection before QUIT");
        }
    }

    private static SmtpClient NewClient(SmtpOptions smtp) => new() { Timeout = (int)smtp.Timeout.TotalMilliseconds };

    private async Task RecordFailureAsync(Batch batch, SmtpOptions smtp, OutboxMessage row, DeliveryFailureKind kind, Exception error)
    {
        var attempts = row.Attempts + 1;
        var now = time.GetUtcNow();
        var tooOld = now - row.CreatedAt >= smtp.GiveUpAfter;
        var giveUp = kind == DeliveryFailureKind.Permanent || tooOld;
        var nextAttemptAt = giveUp ? row.NextAttemptAt
            : now + new Backoff(smtp.RetryBaseDelay, smtp.RetryMaxDelay).Delay(attempts, Random.Shared.NextDouble());
        var lastError = kind == DeliveryFailureKind.Transient && tooOld
            ? $"Gave up: still not delivered {smtp.GiveUpAfter} after it was queued (Smtp:GiveUpAfter). Last error: {DeliveryFailure.Describe(error)}"
            : DeliveryFailure.Describe(error);

        var claim = batch.Claim.Token;
        var updated = await batch.WriteAsync(db => db.Outbox.Where(m => m.Id == row.Id && m.LockedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, giveUp ? OutboxStatus.Failed : OutboxStatus.Pending)
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
            .SetProperty(m => m.LastError, lastError)
            .SetProperty(m => m.LockedBy, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None));
        WarnIfLeaseLost(updated, row);
        metrics.EmailsFailed.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EmailKindTag, KindName(row.Kind)),
            new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, giveUp ? "failed" : "retry"));
        if (giveUp && updated == 1)
        {
            logger.LogError("{EmailKind} email {OutboxId} failed for good after {Attempts} attempts: {Error}",
                row.Kind, row.Id, attempts, lastError);
        }
    }

    private static string KindName(CustomerEmailKind kind) => kind switch
    {
        CustomerEmailKind.Receipt => "receipt",
        CustomerEmailKind.PaymentFailed => "payment_failed",
        CustomerEmailKind.Refund => "refund",
        CustomerEmailKind.DisputeOpened => "dispute_opened",
        CustomerEmailKind.DisputeInquiry => "dispute_inquiry",
        CustomerEmailKind.DisputeAppeal => "dispute_appeal",
        _ => "other",
    };

    private void WarnIfLeaseLost(int updated, OutboxMessage row)
    {
        if (updated == 0)
        {
            // Only possible if this batch outlived its lease and another instance took the row over.
            logger.LogWarning("Email {OutboxId} was no longer claimed by this instance when its outcome was recorded", row.Id);
        }
    }

    /// <summary>
    /// What the connections of one batch share. Its context is the batch's: the rare writes made while connections
    /// send (a failure, a server that cannot be reached) take turns on it, since a context runs one command at a time.
    /// </summary>
    private sealed class Batch(ShopDbContext db, SentRecorder recorder, OutboxClaim claim, Dictionary<long, Order> orders) : IDisposable
    {
        private readonly SemaphoreSlim _turn = new(1, 1);

        public SentRecorder Recorder => recorder;

        public OutboxClaim Claim => claim;

        public Dictionary<long, Order> Orders => orders;

        public async Task<int> WriteAsync(Func<ShopDbContext, Task<int>> write)
        {
            await _turn.WaitAsync(CancellationToken.None);
            try
            {
                return await write(db);
            }
            finally
            {
                _turn.Release();
            }
        }

        public void Dispose() => _turn.Dispose();
    }
}
