using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Web.BackgroundWork;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

public enum IngestResult
{
    Applied,
    Stale,
    Ignored,
    Duplicate,

    /// <summary>Of the other mode (live or test) than the shop's key: recorded, not applied.</summary>
    LivemodeMismatch,
}

/// <summary>
/// The single writer of Stripe events. Requests hand their event over and wait; the writer takes whatever has queued up
/// and commits it in one durable transaction (group commit). SQLite allows one writer at a time: many small concurrent
/// transactions would queue on its lock with 150 ms sleeps, while one writer committing batches is both durable and
/// several times faster (see docs/benchmarks.md). Each event's effects (dedupe record, order change, timeline, outbox row)
/// commit together or not at all; if a batch fails, its events are retried one by one so one bad event cannot fail its
/// neighbours. On PostgreSQL with several instances the primary key on the event id and the order's concurrency token
/// keep two writers from applying one event twice.
/// </summary>
public sealed class StripeEventWriter(
    IServiceScopeFactory scopes, StripeEventApplier applier, OutboxSignal outboxSignal, WorkerLoop loop, TimeProvider time, ILogger<StripeEventWriter> logger)
    : BackgroundService
{
    public const string WorkerName = "event-writer";

    private const int MaxBatchSize = 256;
    private const int MaxConcurrencyRetries = 3;

    // Compiled once per writer: at one small batch per request, translating the LINQ each time cost more than running the SQL.
    // Not static: a compiled query serves one model, and one process may host shops on both providers (db copy's tests).
    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<string>> _recordedEventIds =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.StripeEvents.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId));

    // The transitions never touch the lines: without the auto-included join the query reads and tracks half as much.
    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<Order>> _ordersByPaymentIntent =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) =>
            db.Orders.IgnoreAutoIncludes().Where(o => o.PaymentIntentId != null && ids.Contains(o.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<PaymentIntentFact>> _intentFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.PaymentIntentFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<ChargeFact>> _chargeFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.ChargeFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<DisputeFact>> _disputeFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.DisputeFacts.Where(f => ids.Contains(f.PaymentIntentId)));

    // The writer's own context and connection, kept open across batches (see WriterSession); null after a failure.
    private WriterSession? _session;

    private readonly Channel<Submission> _queue = Channel.CreateBounded<Submission>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Completes once the event's effects are durably committed (or it is known to be a duplicate).</summary>
    public async Task<IngestResult> WriteAsync(StripeEvent stripeEvent, StripeEventSource source, CancellationToken cancellationToken)
    {
        // The caller's span (the webhook's receive span) is linked from the batch that commits the event.
        var submission = new Submission(stripeEvent, source, Activity.Current?.Context ?? default);
        await _queue.Writer.WriteAsync(submission, cancellationToken);
        return await submission.Result.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Submission>(MaxBatchSize);
        try
        {
            await loop.RunAsync(WorkerName, logger, async ct =>
            {
                batch.Clear();
                while (batch.Count < MaxBatchSize && _queue.Reader.TryRead(out var submission))
                {
                    batch.Add(submission);
                }

                try
                {
                    await WriteBatchAsync(batch, ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // A bug outside the per-event handling: the requests waiting on this batch answer 5xx (Stripe retries)
                    // instead of hanging, and the loop goes on after a backoff.
                    batch.ForEach(s => s.Result.TrySetException(ex));
                    throw;
                }

                return _queue.Reader.TryPeek(out _);
            }, async ct => await _queue.Reader.WaitToReadAsync(ct), stoppingToken);
        }
        finally
        {
            await CloseSessionAsync();
        }
    }

    private async Task WriteBatchAsync(List<Submission> batch, CancellationToken cancellationToken)
    {
        // A batch is its own trace (it serves many requests), linked to the span of each event's arrival.
        using var activity = ShopTelemetry.Source.HasListeners()
            ? ShopTelemetry.Source.StartActivity("stripe.events commit", ActivityKind.Internal, parentContext: default, links: ReceiveLinks(batch))
            : null;
        activity?.SetTag("shop.batch.size", batch.Count);
        try
        {
            var results = await CommitAsync(batch, cancellationToken);
            // Ended before anyone is answered: whoever has its answer (a test flushing its exporter, say) finds this span
            // ended too, instead of racing the continuation that answers it.
            activity?.Stop();
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            batch.ForEach(s => s.Result.TrySetCanceled(cancellationToken));
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // Whatever broke the batch (a bug, a constraint, a concurrent change) must only fail the event that caused it.
            logger.LogWarning(ex, "A batch of {Count} Stripe events failed; writing them one by one", batch.Count);
            foreach (var submission in batch)
            {
                await WriteOneAsync(submission, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            // Not swallowed: the request waiting for this event answers 5xx and Stripe delivers it again.
            logger.LogError(ex, "Stripe event {EventId} ({EventType}) could not be written", batch[0].Event.Id, batch[0].Event.Type);
            batch[0].Result.TrySetException(ex);
        }
    }

    private async Task WriteOneAsync(Submission submission, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var results = await CommitAsync([submission], cancellationToken);
                submission.Result.TrySetResult(results[0]);
                return;
            }
            catch (Exception ex) when (attempt < MaxConcurrencyRetries && (ex is DbUpdateConcurrencyException || IsUniqueViolation(ex)))
            {
                // The order changed under us (a checkout revising it, another instance), or another instance recorded the
                // same event or fact first: read again and re-apply, which then finds what the other one wrote.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Stripe event {EventId} ({EventType}) could not be written", submission.Event.Id, submission.Event.Type);
                submission.Result.TrySetException(ex);
                return;
            }
        }
    }

    private async Task<IngestResult[]> CommitAsync(IReadOnlyList<Submission> batch, CancellationToken cancellationToken)
    {
        var session = _session ??= await WriterSession.OpenAsync(scopes, cancellationToken);
        try
        {
            var results = await CommitAsync(session, batch, cancellationToken);
            session.Db.ChangeTracker.Clear();
            return results;
        }
        catch
        {
            // The connection may be broken (a restarted server) or the context hold half a batch: start afresh.
            await CloseSessionAsync();
            throw;
        }
    }

    private async Task CloseSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    private async Task<IngestResult[]> CommitAsync(WriterSession session, IReadOnlyList<Submission> batch, CancellationToken cancellationToken)
    {
        var (db, writes) = (session.Db, session.Writes);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var eventIds = batch.Select(s => s.Event.Id).Distinct().ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in _recordedEventIds(db, eventIds).WithCancellation(cancellationToken))
        {
            seen.Add(id);
        }

        var paymentIntentIds = batch.Select(s => s.Event.PaymentIntentId).OfType<string>().Distinct().ToList();
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        await foreach (var order in _ordersByPaymentIntent(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            orders[order.PaymentIntentId!] = order;
        }

        var known = await LoadFactsAsync(db, orders.Keys.ToList(), cancellationToken);
        var now = time.GetUtcNow();
        var results = new IngestResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (stripeEvent, source) = (batch[i].Event, batch[i].Source);
            if (!seen.Add(stripeEvent.Id))
            {
                results[i] = IngestResult.Duplicate;
                continue;
            }

            var pi = stripeEvent.PaymentIntentId;
            var order = pi is null ? null : orders.GetValueOrDefault(pi);
            var facts = order is null ? null : known[pi!];
            using var apply = ShopTelemetry.Source.StartActivity("stripe.event apply");
            results[i] = applier.Apply(db, stripeEvent, source, order, facts, now) switch
            {
                StripeEventOutcome.Applied => IngestResult.Applied,
                StripeEventOutcome.Stale => IngestResult.Stale,
                StripeEventOutcome.LivemodeMismatch => IngestResult.LivemodeMismatch,
                _ => IngestResult.Ignored,
            };
            apply?.SetTag(ShopTelemetry.EventIdTag, stripeEvent.Id).SetTag(ShopTelemetry.EventTypeTag, stripeEvent.Type)
                .SetTag(ShopTelemetry.PaymentIntentTag, pi).SetTag(ShopTelemetry.OrderIdTag, order?.PublicId)
                .SetTag(ShopTelemetry.OutcomeTag, OutcomeName(results[i]));
        }

        // SaveChanges builds and runs a new command for every row; these writes reuse one prepared command per statement
        // shape (docs/benchmarks.md). Still one transaction, and an order changed concurrently still fails with
        // DbUpdateConcurrencyException, as with SaveChanges.
        // Only rows read from the database can have changed; the ones the applier added (most of a batch) are inserted as
        // they are and need no scan.
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Unchanged)
            {
                entry.DetectChanges();
            }
        }

        var records = db.ChangeTracker.Entries<StripeEventRecord>().Count(e => e.State == EntityState.Added);
        if (await writes.InsertAddedAsync<StripeEventRecord>(cancellationToken, ignoreConflicts: true) != records)
        {
            // Another writer (another instance) recorded one of these events since they were looked up: retried alone,
            // that event is then seen as the duplicate it is.
            throw new DbUpdateConcurrencyException("A Stripe event of this batch was recorded by another writer meanwhile.");
        }

        await writes.InsertAddedAsync<PaymentIntentFact>(cancellationToken);
        await writes.InsertAddedAsync<ChargeFact>(cancellationToken);
        await writes.InsertAddedAsync<DisputeFact>(cancellationToken);
        await writes.UpdateModifiedAsync<PaymentIntentFact>(cancellationToken);
        await writes.UpdateModifiedAsync<ChargeFact>(cancellationToken);
        await writes.UpdateModifiedAsync<DisputeFact>(cancellationToken);
        await writes.InsertAddedAsync<OrderTimelineEntry>(cancellationToken);
        // An email already queued for the same news (its dedupe key) is not queued again.
        var emails = await writes.InsertAddedAsync<OutboxMessage>(cancellationToken, ignoreConflicts: true);
        await writes.UpdateModifiedAsync<Order>(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        RecordMetrics(batch, results, time.GetUtcNow());
        if (emails > 0)
        {
            // Written past SaveChanges, so the signal's interceptor did not see them: wake the sender here.
            outboxSignal.Notify();
        }

        return results;
    }

    private static void RecordMetrics(IReadOnlyList<Submission> batch, IngestResult[] results, DateTimeOffset committedAt)
    {
        ShopTelemetry.BatchSize.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var (stripeEvent, source) = (batch[i].Event, batch[i].Source);
            var sourceTag = new KeyValuePair<string, object?>(ShopTelemetry.SourceTag, SourceName(source));
            ShopTelemetry.EventsReceived.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EventTypeTag, stripeEvent.Type), sourceTag,
                new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, OutcomeName(results[i])));
            if (results[i] != IngestResult.Duplicate)
            {
                ShopTelemetry.IngestLag.Record((committedAt - stripeEvent.Created).TotalSeconds, sourceTag);
            }
        }
    }

    private static List<ActivityLink> ReceiveLinks(List<Submission> batch)
    {
        var links = new List<ActivityLink>(batch.Count);
        foreach (var submission in batch)
        {
            if (submission.Receiver != default)
            {
                links.Add(new ActivityLink(submission.Receiver));
            }
        }

        return links;
    }

    // Constant strings: a metric tag built with ToString() would allocate on every event.
    internal static string OutcomeName(IngestResult result) => result switch
    {
        IngestResult.Applied => "applied",
        IngestResult.Stale => "stale",
        IngestResult.Duplicate => "duplicate",
        IngestResult.LivemodeMismatch => "livemode_mismatch",
        _ => "ignored",
    };

    private static string SourceName(StripeEventSource source) => source switch
    {
        StripeEventSource.Webhook => "webhook",
        StripeEventSource.Reconciliation => "reconciliation",
        _ => "catch_up",
    };

    private static bool IsUniqueViolation(Exception ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 1555 or 2067, // SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        DbException => false,
        _ => ex.InnerException is { } inner && IsUniqueViolation(inner),
    };

    /// <summary>The facts known for each PaymentIntent of the batch that has an order, tracked so merges update their rows.</summary>
    private async Task<Dictionary<string, PaymentFactSet>> LoadFactsAsync(ShopDbContext db, List<string> paymentIntentIds, CancellationToken cancellationToken)
    {
        var known = paymentIntentIds.ToDictionary(id => id, _ => new PaymentFactSet(), StringComparer.Ordinal);
        if (known.Count == 0)
        {
            return known;
        }

        await foreach (var fact in _intentFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        await foreach (var fact in _chargeFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        await foreach (var fact in _disputeFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        return known;
    }

    /// <summary>
    /// One context with its connection held open, and the writes prepared on it: a batch then pays neither for a new scope
    /// and context nor for opening a connection (SQLite's per-connection pragmas), and the inserts and updates stay
    /// prepared from one batch to the next. Only the writer's loop uses it, one batch at a time.
    /// </summary>
    private sealed class WriterSession(AsyncServiceScope scope, ShopDbContext db) : IAsyncDisposable
    {
        public ShopDbContext Db => db;

        public PreparedWrites Writes { get; } = new(db);

        public static async Task<WriterSession> OpenAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
        {
            var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
            // Each look at the change tracker would scan every tracked order for changes; one scan before writing is enough.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            try
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
            }
            catch
            {
                await scope.DisposeAsync();
                throw;
            }

            return new WriterSession(scope, db);
        }

        public async ValueTask DisposeAsync()
        {
            await Writes.DisposeAsync();
            await scope.DisposeAsync();
        }
    }

    private sealed record Submission(StripeEvent Event, StripeEventSource Source, ActivityContext Receiver)
    {
        // Continuations run off the writer's loop, so answering requests never slows the next commit.
        public TaskCompletionSource<IngestResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

