namespace Shop.Web.BackgroundWork;

/// <summary>
/// Runs a background worker until the host stops; a pass that throws is logged, recorded in <see cref="WorkerHealth"/> and
/// retried after a <see cref="Backoff"/>, so no fault ends the loop or the host. In a BackgroundService:
/// <c>ExecuteAsync(ct) => loop.RunAsync("name", logger, DoWorkAsync, WaitForWorkAsync, ct)</c>.
/// </summary>
public sealed class WorkerLoop(WorkerHealth health, TimeProvider time)
{
    /// <param name="passAsync">One round of work; returns true when more is waiting, to go again at once instead of waiting.</param>
    /// <param name="waitAsync">Waits for the next round (a timer tick, a signal, a queue read).</param>
    public async Task RunAsync(string worker, ILogger logger, Func<CancellationToken, Task<bool>> passAsync, Func<CancellationToken, Task> waitAsync,
        CancellationToken stoppingToken, Backoff? backoff = null)
    {
        backoff ??= Backoff.Default;
        health.RecordStart(worker);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var moreWaiting = await passAsync(stoppingToken);
                failures = 0;
                health.RecordSuccess(worker);
                if (!moreWaiting)
                {
                    await waitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The one broad catch: whatever broke this pass (a database, a server, a bug) is logged and retried later,
                // because a background loop that ends takes the host down with it or leaves its work undone.
                failures++;
                var delay = backoff.Delay(failures, Random.Shared.NextDouble());
                var retryAt = time.GetUtcNow() + delay;
                // The timer starts before the failure is visible: whoever reads the health (a test moving the clock) sees a
                // retry time that is already counting.
                var wait = Task.Delay(delay, time, stoppingToken);
                health.RecordFailure(worker, ex, retryAt);
                logger.LogError(ex, "Background worker {Worker} failed ({ConsecutiveFailures} in a row); next pass at {RetryAt}",
                    worker, failures, retryAt);
                try
                {
                    await wait;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>For a worker that runs a pass every <paramref name="interval"/> (the first at once), on the shop's clock.</summary>
    public async Task RunEveryAsync(string worker, ILogger logger, TimeSpan interval, Func<CancellationToken, Task> passAsync, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        await RunAsync(worker, logger, async ct =>
        {
            await passAsync(ct);
            return false;
        }, async ct => await timer.WaitForNextTickAsync(ct), stoppingToken);
    }

    /// <summary>For a worker whose pass ends with its own wait (or needs none between passes).</summary>
    public Task RunAsync(string worker, ILogger logger, Func<CancellationToken, Task> passAsync, CancellationToken stoppingToken, Backoff? backoff = null) =>
        RunAsync(worker, logger, async ct =>
        {
            await passAsync(ct);
            return true;
        }, _ => Task.CompletedTask, stoppingToken, backoff);
}
