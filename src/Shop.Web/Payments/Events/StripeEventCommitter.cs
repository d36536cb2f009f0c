using Microsoft.EntityFrameworkCore;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>An event handed to the writer and where it came from.</summary>
public sealed record PendingEvent(StripeEvent Event, StripeEventSource Source);

/// <summary>
/// Commits one batch of events in one transaction: load what the batch needs (which events are recorded, the orders,
/// their facts), apply each event, write every row, commit. The reads are a fixed number of set-based queries and the
/// writes one <see cref="PreparedWrites.WriteTrackedAsync"/> (one round trip on PostgreSQL), so a batch costs the same
/// number of round trips whatever its size. Used by one caller at a time (the writer's loop): it keeps its connection open.
/// </summary>
public sealed class StripeEventCommitter(IServiceScopeFactory scopes, StripeEventApplier applier, OutboxSignal outboxSignal, TimeProvider time)
    : IAsyncDisposable
{
    // Compiled once per committer: at one small batch per request, translating the LINQ each time cost more than running
    // the SQL. Not static: a compiled query serves one model, and one process may host both providers (db copy's tests).
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

    private readonly Func<ShopDbContext, List<string>, IAsyncEnumerable<RefundFact>> _refundFacts =
        EF.CompileAsyncQuery((ShopDbContext db, List<string> ids) => db.RefundFacts.Where(f => ids.Contains(f.PaymentIntentId)));

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
        var db = session.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var eventIds = batch.Select(p => p.Event.Id).Distinct().ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in _recordedEventIds(db, eventIds).WithCancellation(cancellationToken))
        {
            seen.Add(id);
        }

        var paymentIntentIds = batch.Select(p => p.Event.PaymentIntentId).OfType<string>().Distinct().ToList();
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
                .SetTag(ShopTelemetry.OutcomeTag, StripeEventNames.Outcome(results[i]));
        }

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
        await transaction.CommitAsync(cancellationToken);
        RecordMetrics(batch, results, time.GetUtcNow());
        if (written[OutboxStep] > 0)
        {
            // Written past SaveChanges, so the signal's interceptor did not see them: wake the sender here.
            outboxSignal.Notify();
        }

        return results;
    }

    private static void RecordMetrics(IReadOnlyList<PendingEvent> batch, IngestResult[] results, DateTimeOffset committedAt)
    {
        ShopTelemetry.BatchSize.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var (stripeEvent, source) = (batch[i].Event, batch[i].Source);
            var sourceTag = new KeyValuePair<string, object?>(ShopTelemetry.SourceTag, StripeEventNames.Source(source));
            ShopTelemetry.EventsReceived.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EventTypeTag, stripeEvent.Type), sourceTag,
                new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, StripeEventNames.Outcome(results[i])));
            if (results[i] != IngestResult.Duplicate)
            {
                ShopTelemetry.IngestLag.Record((committedAt - stripeEvent.Created).TotalSeconds, sourceTag);
            }
        }
    }

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

        await foreach (var fact in _refundFacts(db, paymentIntentIds).WithCancellation(cancellationToken))
        {
            known[fact.PaymentIntentId].Load(fact);
        }

        return known;
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
