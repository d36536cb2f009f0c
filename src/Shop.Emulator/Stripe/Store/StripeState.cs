using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>
/// What every resource shares: the one lock around all state (a request, a scheduled state change and a delivery
/// record each run as one step under it), the clock, the bounded store, and work scheduled for later, such as a
/// SEPA debit settling after <see cref="StripeEmulatorOptions.ProcessingDelay"/>.
/// </summary>
internal sealed class StripeState(StripeEmulatorOptions options, Func<Uri> baseUrl, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public Lock Gate { get; } = new();

    public StripeEmulatorOptions Options => options;

    public TimeProvider Time => options.TimeProvider;

    public ObjectStore Store { get; } = new(options.MaxObjects, options.MaxObjectAge, options.TimeProvider);

    public Uri BaseUrl => baseUrl();

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Runs <paramref name="change"/> under the lock after <paramref name="delay"/> on the emulator's clock.</summary>
    public void After(TimeSpan delay, Action change) => _ = RunLaterAsync(delay, change);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private async Task RunLaterAsync(TimeSpan delay, Action change)
    {
        try
        {
            await Task.Delay(delay, Time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return; // the emulator stopped: what was pending dies with it
        }

        try
        {
            lock (Gate)
            {
                change();
            }
        }
        catch (StripeApiException exception)
        {
            // The object moved on meanwhile (a refund canceled before it settled): nothing left to do.
            logger.LogDebug(exception, "Scheduled change skipped");
        }
    }
}
