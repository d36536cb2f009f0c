using System.Diagnostics;
using System.Threading.Channels;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;

namespace Shop.Web.Payments.Events;

/// <summary>
/// The single writer of Stripe events: requests hand their event over and wait while it commits whatever has queued up
/// as one batch (<see cref="StripeEventCommitter"/>); why, and what a failed batch does: docs/decisions/0004-event-writer-batches.md.
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
        using var activity = StripeEventTelemetry.StartBatch(batch.Select(s => s.Receiver), batch.Count);
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
        catch (Exception ex) when (batch.Count > 1 || DatabaseErrors.IsLostRace(ex))
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
            catch (Exception ex) when (attempt < MaxConcurrencyRetries && DatabaseErrors.IsLostRace(ex))
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

    private sealed record Submission(PendingEvent Pending, ActivityContext Receiver)
    {
        // Continuations run off the writer's loop, so answering requests never slows the next commit.
        public TaskCompletionSource<IngestResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
