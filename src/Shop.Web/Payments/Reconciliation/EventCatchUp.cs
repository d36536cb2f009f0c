using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Payments.Events;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>
/// Lists the events Stripe created since the last pass (<c>GET /v1/events</c>, kept by Stripe for 30 days) and feeds them
/// through the same writer as webhooks, so an outage longer than Stripe's three days of retries, or a webhook endpoint
/// that was misconfigured for a while, still converges. Events already received are duplicates and change nothing.
/// </summary>
public sealed class EventCatchUp(
    IServiceScopeFactory scopes,
    StripeFactsReader stripe,
    StripeEventWriter writer,
    DatabaseLocks locks,
    WorkerLoop loop,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<EventCatchUp> logger) : BackgroundService
{
    // Stripe keeps events for 30 days; asking for older ones returns nothing and wastes a pass.
    private static readonly TimeSpan s_stripeRetention = TimeSpan.FromDays(29);

    // A listing longer than one pass continues where it stopped (newest first, so from the oldest event seen so far). Kept
    // in memory: if another instance takes the next turn, it starts again from the checkpoint, which only costs duplicates.
    private (DateTimeOffset Since, string? After, DateTimeOffset Newest)? _unfinished;

    public const string WorkerName = "event-catch-up";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !stripe.IsConfigured)
        {
            return;
        }

        await loop.RunEveryAsync(WorkerName, logger, settings.CatchUpInterval, ct => CatchUpAsync(ct), stoppingToken);
    }

    /// <summary>
    /// One pass: lists and writes up to <see cref="ReconciliationOptions.CatchUpMaxPages"/> pages. Returns the events that
    /// were new (0 while another instance runs its pass: one listing at a time is enough).
    /// </summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        await using var turn = await locks.TryAcquireAsync(WorkerName, cancellationToken);
        if (turn is null)
        {
            return 0;
        }

        var settings = options.Value;
        var (since, after, newest) = _unfinished ?? (await StartingPointAsync(settings, cancellationToken), null, DateTimeOffset.MinValue);
        var pause = TimeSpan.FromSeconds(1.0 / settings.MaxRequestsPerSecond);
        var applied = 0;
        for (var page = 1; page <= settings.CatchUpMaxPages; page++)
        {
            var (status, listed) = await stripe.ListEventsAsync(since, after, cancellationToken);
            if (listed is null)
            {
                // Rate-limited or failed (logged by the reader): the same listing is tried again next pass.
                _unfinished = after is null ? null : (since, after, newest);
                return applied;
            }

            // Written together, so they commit in one group; the order among them does not matter to the facts.
            var results = await Task.WhenAll(listed.Events.Select(e => writer.WriteAsync(e, StripeEventSource.CatchUp, cancellationToken)));
            applied += results.Count(r => r is IngestResult.Applied or IngestResult.Stale or IngestResult.Ignored);
            newest = listed.Events.Select(e => e.Created).Append(newest).Max();
            if (!listed.HasMore)
            {
                _unfinished = null;
                await SaveCheckpointAsync(newest > since ? newest : since, cancellationToken);
                if (applied > 0)
                {
                    logger.LogInformation("Event catch-up found {Count} events no webhook had brought", applied);
                }

                return applied;
            }

            after = listed.LastId;
            await Task.Delay(pause, time, cancellationToken);
        }

        _unfinished = (since, after, newest);
        logger.LogInformation("Event catch-up read {Pages} pages; the listing continues next pass", settings.CatchUpMaxPages);
        return applied;
    }

    /// <summary>
    /// The checkpoint less the overlap; on the first pass ever, the newest event stored (or the oldest order, when no event
    /// came yet), so a shop that was down catches up on its downtime and a new shop does not read a month of history.
    /// </summary>
    private async Task<DateTimeOffset> StartingPointAsync(ReconciliationOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var now = time.GetUtcNow();
        var start = (await db.CatchUpCheckpoints.AsNoTracking().Where(c => c.Name == CatchUpCheckpoint.EventsName)
                .Select(c => (DateTimeOffset?)c.ListedUntil).FirstOrDefaultAsync(cancellationToken))
            ?? await db.StripeEvents.Where(e => e.Source != StripeEventSource.Reconciliation)
                .MaxAsync(e => (DateTimeOffset?)e.CreatedAt, cancellationToken)
            ?? await db.Orders.MinAsync(o => (DateTimeOffset?)o.CreatedAt, cancellationToken)
            ?? now;
        var since = start - settings.CatchUpOverlap;
        return since < now - s_stripeRetention ? now - s_stripeRetention : since;
    }

    private async Task SaveCheckpointAsync(DateTimeOffset listedUntil, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var now = time.GetUtcNow();
        var checkpoint = await db.CatchUpCheckpoints.FirstOrDefaultAsync(c => c.Name == CatchUpCheckpoint.EventsName, cancellationToken);
        if (checkpoint is null)
        {
            db.CatchUpCheckpoints.Add(new CatchUpCheckpoint { Name = CatchUpCheckpoint.EventsName, ListedUntil = listedUntil, UpdatedAt = now });
        }
        else if (listedUntil > checkpoint.ListedUntil)
        {
            // Never backwards: another instance may have listed further meanwhile.
            checkpoint.ListedUntil = listedUntil;
            checkpoint.UpdatedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
