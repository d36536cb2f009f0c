using Microsoft.EntityFrameworkCore;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>An event handed to the writer and where it came from.</summary>
public sealed record PendingEvent(StripeEvent Event, StripeEventSource Source);

/// <summary>
/// Commits one batch of events in one transaction: load what the batch needs, apply each event, write every row, commit,
/// in a fixed number of round trips whatever the batch's size (docs/decisions/0004-event-writer-batches.md).
/// Used by one caller at a time (the writer's loop): it keeps its connection open.
/// </summary>
public sealed class StripeEventCommitter(IServiceScopeFactory scopes, StripeEventApplier applier, OutboxSignal outboxSignal, ShopMetrics metrics, TimeProvider time)
    : IAsyncDisposable
{
    // In this order: an event's record first (a conflict there means another writer has it), the order's update last.
    private static readonly TrackedWrite[] s_writes =
    [
        TrackedWrite.InsertOrSkip<StripeEventRecord>(),
        TrackedWrite.Insert<PaymentIntentFact>(),
        TrackedWrite.Insert<ChargeFact>(),
        TrackedWrite.Insert<DisputeFact>(),
        TrackedWrite.Insert<RefundFact>(),
        TrackedWrite.Update<PaymentIntentFact>(),
        TrackedWrite.Update<ChargeFact>(),
        TrackedWrite.Update<DisputeFact>(),
        TrackedWrite.Update<RefundFact>(),
        TrackedWrite.Insert<OrderTimelineEntry>(),
        // An email already queued for the same news (its dedupe key) is not queued again.
        TrackedWrite.InsertOrSkip<OutboxMessage>(),
        TrackedWrite.Update<Order>(),
    ];

    private const int RecordsStep = 0;
    private const int OutboxStep = 10;

    private readonly StripeEventReads _reads = new();

    // The context and connection kept open across batches (see Session); null after a failure.
    private Session? _session;

    /// <summary>
    /// Commits the batch and returns each event's result. Throws <see cref="DbUpdateConcurrencyException"/> (an order or an
    /// event record changed by another writer meanwhile) or a unique violation, after which a retry reads the new state.
    /// </summary>
    public async Task<IngestResult[]> CommitAsync(IReadOnlyList<PendingEvent> batch, CancellationToken cancellationToken)
    {
        var session = _session ??= await Session.OpenAsync(scopes, cancellationToken);
        try
        {
            var results = await CommitAsync(session, batch, cancellationToken);
            session.Db.ChangeTracker.Clear();
            return results;
        }
        catch
        {
            // The connection may be broken (a restarted server) or the context hold half a batch: start afresh.
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    private async Task<IngestResult[]> CommitAsync(Session session, IReadOnlyList<PendingEvent> batch, CancellationToken cancellationToken)
    {
        await using var transaction = await session.Db.Database.BeginTransactionAsync(cancellationToken);
        var state = await _reads.LoadAsync(session.Db, batch, cancellationToken);
        var results = Apply(session.Db, batch, state, time.GetUtcNow());
        var written = await WriteAsync(session, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        StripeEventTelemetry.Committed(metrics, batch, results, time.GetUtcNow());
        if (written[OutboxStep] > 0)
        {
            // Written past SaveChanges, so the signal's interceptor did not see them: wake the sender here.
            outboxSignal.Notify();
        }

        return results;
    }

    /// <summary>Applies each event not recorded yet (in the database or earlier in the batch) to the tracked rows.</summary>
    private IngestResult[] Apply(ShopDbContext db, IReadOnlyList<PendingEvent> batch, EventBatchState state, DateTimeOffset now)
    {
        var results = new IngestResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = state.Recorded.Add(batch[i].Event.Id) ? Apply(db, batch[i], state, now) : IngestResult.Duplicate;
        }

        return results;
    }

    private IngestResult Apply(ShopDbContext db, PendingEvent pending, EventBatchState state, DateTimeOffset now)
    {
        var pi = pending.Event.PaymentIntentId;
        var order = pi is null ? null : state.Orders.GetValueOrDefault(pi);
        var facts = order is null ? null : state.Facts[pi!];
        using var apply = StripeEventTelemetry.StartApply();
        var result = applier.Apply(db, pending.Event, pending.Source, order, facts, now) switch
        {
            StripeEventOutcome.Applied => IngestResult.Applied,
            StripeEventOutcome.Stale => IngestResult.Stale,
            StripeEventOutcome.LivemodeMismatch => IngestResult.LivemodeMismatch,
            _ => IngestResult.Ignored,
        };
        StripeEventTelemetry.Applied(apply, pending.Event, order, result);
        return result;
    }

    /// <summary>Writes every tracked change in one <see cref="PreparedWrites.WriteTrackedAsync"/> and returns each step's rows.</summary>
    private static async Task<int[]> WriteAsync(Session session, CancellationToken cancellationToken)
    {
        var db = session.Db;
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
        var written = await session.Writes.WriteTrackedAsync(s_writes, cancellationToken);
        if (written[RecordsStep] != records)
        {
            // Another writer (another instance) recorded one of these events since they were looked up: retried, that
            // event is then seen as the duplicate it is.
            throw new DbUpdateConcurrencyException("A Stripe event of this batch was recorded by another writer meanwhile.");
        }

        await db.SaveChangesAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// One context with its connection held open, and the writes prepared on it: a batch then pays neither for a new scope
    /// and context nor for opening a connection (SQLite's per-connection pragmas), and SQLite's statements stay prepared
    /// from one batch to the next.
    /// </summary>
    private sealed class Session(AsyncServiceScope scope, ShopDbContext db) : IAsyncDisposable
    {
        public ShopDbContext Db => db;

        public PreparedWrites Writes { get; } = new(db);

        public static async Task<Session> OpenAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
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

            return new Session(scope, db);
        }

        public async ValueTask DisposeAsync()
        {
            await Writes.DisposeAsync();
            await scope.DisposeAsync();
        }
    }
}
