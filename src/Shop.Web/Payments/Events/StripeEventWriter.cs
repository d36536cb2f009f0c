using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Shop.Web.BackgroundWork;
using Shop.Web.Common;
using Shop.Web.Data;

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
/// and commits it in one durable transaction (group commit, <see cref="StripeEventCommitter"/>). SQLite allows one writer
/// at a time: one writer committing batches is both durable and several times faster than many small transactions (see
/// docs/benchmarks.md). Each event's effects commit together or not at all; if a batch fails, its events are retried one
/// by one so one bad event cannot fail its neighbours. On PostgreSQL with several instances the primary key on the event
/// id and the order's concurrency token keep two writers from applying one event twice; the one that loses the race
/// reads again and finds the other's work, whatever the size of its batch.
/// </summary>
public sealed class StripeEventWriter(StripeEventCommitter committer, WorkerLoop loop, ILogger<StripeEventWriter> logger)
    : BackgroundService
{
    public const string WorkerName = "event-writer";

    private const int MaxBatchSize = 256;
    private const int MaxConcurrencyRetries = 3;

    private readonly Channel<Submission> _queue = Channel.CreateBounded<Submission>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Completes once the event's effects are durably committed (or it is known to be a duplicate).</summary>
    public async Task<IngestResult> WriteAsync(StripeEvent stripeEvent, StripeEventSource source, CancellationToken cancellationToken)
    {
        // The caller's span (the webhook's receive span) is linked from the batch that commits the event.
        var submission = new Submission(new PendingEvent(stripeEvent, source), Activity.Current?.Context ?? default);
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
            await committer.DisposeAsync();
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
            var results = await committer.CommitAsync(batch.ConvertAll(s => s.Pending), cancellationToken);
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
        catch (Exception ex) when (batch.Count > 1 || IsLostRace(ex))
        {
            // Whatever broke the batch (a bug, a constraint, a concurrent change) must only fail the event that caused it;
            // an event alone that lost a race to another writer is read again, as it would be in a bigger batch.
            if (batch.Count > 1)
            {
                logger.LogWarning(ex, "A batch of {Count} Stripe events failed; writing them one by one", batch.Count);
            }

            foreach (var submission in batch)
            {
                await WriteOneAsync(submission, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            // Not swallowed: the request waiting for this event answers 5xx and Stripe delivers it again.
            logger.LogError(ex, "Stripe event {EventId} ({EventType}) could not be written", batch[0].Pending.Event.Id, batch[0].Pending.Event.Type);
            batch[0].Result.TrySetException(ex);
        }
    }

    private async Task WriteOneAsync(Submission submission, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var results = await committer.CommitAsync([submission.Pending], cancellationToken);
                submission.Result.TrySetResult(results[0]);
                return;
            }
            catch (Exception ex) when (attempt < MaxConcurrencyRetries && IsLostRace(ex))
            {
                // The order changed under us (a checkout revising it, another instance), or another instance recorded the
                // same event or fact first: read again and re-apply, which then finds what the other one wrote.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Stripe event {EventId} ({EventType}) could not be written", submission.Pending.Event.Id, submission.Pending.Event.Type);
                submission.Result.TrySetException(ex);
                return;
            }
        }
    }

    private static bool IsLostRace(Exception ex) => ex is DbUpdateConcurrencyException || DatabaseErrors.IsUniqueViolation(ex);

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

    private sealed record Submission(PendingEvent Pending, ActivityContext Receiver)
    {
        // Continuations run off the writer's loop, so answering requests never slows the next commit.
        public TaskCompletionSource<IngestResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
