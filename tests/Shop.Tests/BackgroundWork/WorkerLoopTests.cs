using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.BackgroundWork;

namespace Shop.Tests.BackgroundWork;

public sealed class WorkerLoopTests : IDisposable
{
    private const string Worker = "test-worker";
    private static readonly Backoff s_backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly CancellationTokenSource _stopping = new();
    private readonly WorkerHealth _health;
    private readonly WorkerLoop _loop;

    public WorkerLoopTests()
    {
        _health = new WorkerHealth(_clock);
        _loop = new WorkerLoop(_health, _clock);
    }

    [Fact]
    public async Task A_failing_pass_is_recorded_retried_after_a_growing_backoff_and_the_loop_recovers()
    {
        var started = _clock.GetUtcNow();
        var faults = new Queue<Exception>([new TimeoutException("the database did not answer"), new InvalidOperationException("a bug")]);
        var passes = 0;

        var running = _loop.RunAsync(Worker, NullLogger.Instance, _ =>
        {
            passes++;
            return faults.TryDequeue(out var fault) ? Task.FromException<bool>(fault) : Task.FromResult(false);
        }, WaitForever, _stopping.Token, s_backoff);
        var first = await WaitForWorkerAsync(s => s.ConsecutiveFailures == 1);
        _clock.Advance(first.RetryAt!.Value - _clock.GetUtcNow());
        var second = await WaitForWorkerAsync(s => s.ConsecutiveFailures == 2);
        _clock.Advance(second.RetryAt!.Value - _clock.GetUtcNow());
        var recovered = await WaitForWorkerAsync(s => s.CompletedPasses == 1);

        Assert.False(running.IsCompleted);
        Assert.Equal("TimeoutException: the database did not answer", first.LastError);
        Assert.InRange(first.RetryAt!.Value - started, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
        Assert.Equal("InvalidOperationException: a bug", second.LastError);
        Assert.InRange(second.RetryAt!.Value - first.RetryAt!.Value, TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(24));
        Assert.Equal(3, passes);
        Assert.Equal((0, _clock.GetUtcNow(), (DateTimeOffset?)null), (recovered.ConsecutiveFailures, recovered.LastSuccessAt!.Value, recovered.RetryAt));
        Assert.Equal(second.LastFailureAt, recovered.LastFailureAt); // the last failure stays visible after recovery
    }

    [Fact]
    public async Task Stopping_ends_the_loop_without_an_exception_even_while_it_backs_off()
    {
        var running = _loop.RunAsync(Worker, NullLogger.Instance, _ => throw new InvalidOperationException("always"), _stopping.Token, s_backoff);
        await WaitForWorkerAsync(s => s.ConsecutiveFailures == 1);

        await _stopping.CancelAsync();

        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_pass_with_more_work_waiting_goes_again_at_once_and_an_idle_one_waits()
    {
        var moreWaiting = new Queue<bool>([true, true, false]);
        var waits = 0;
        var idle = new TaskCompletionSource();

        var running = _loop.RunAsync(Worker, NullLogger.Instance, _ => Task.FromResult(moreWaiting.TryDequeue(out var more) && more), async ct =>
        {
            waits++;
            idle.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, _stopping.Token);
        await idle.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, waits);
        Assert.Equal(3, _health.Find(Worker)!.CompletedPasses);
        Assert.False(running.IsCompleted);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private static Task WaitForever(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    private Task<WorkerStatus> WaitForWorkerAsync(Func<WorkerStatus, bool> condition) =>
        Poll.UntilAsync(() => _health.Find(Worker)!, s => s is not null && condition(s), s => s?.ToString() ?? "not started");
}
