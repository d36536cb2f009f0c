using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Sends each event to every destination that wants it, in the background: POSTs to webhook endpoints, signed with
/// each endpoint's secret and retried on <see cref="StripeEmulatorOptions.RetrySchedule"/>; pushes to <c>stripe listen</c>
/// sessions over their websocket. First attempts go out one at a time in creation order (Stripe promises no order,
/// but a steady one makes a developer's log readable); retries wait on their own timers so a failing endpoint never
/// holds the others back for long.
/// </summary>
internal sealed class WebhookSender : IAsyncDisposable
{
    public const string UserAgent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

    private readonly StripeState _state;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own WebhookTimeout on the TimeProvider
    };

    private readonly Channel<DeliveryState> _queue = Channel.CreateUnbounded<DeliveryState>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IEventDestination> _destinations = [];
    private readonly Task _loop;
    private int _disposed;

    public WebhookSender(StripeState state, ILogger logger)
    {
        _state = state;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    private StripeEmulatorOptions Options => _state.Options;

    /// <summary>Endpoints and sessions, oldest first. Read and changed under <see cref="StripeState.Gate"/>.</summary>
    public IReadOnlyList<IEventDestination> Destinations => _destinations;

    public void Add(IEventDestination destination)
    {
        if (!_destinations.Contains(destination))
        {
            _destinations.Add(destination);
        }
    }

    public void Remove(IEventDestination destination) => _destinations.Remove(destination);

    /// <summary>Queues <paramref name="event"/> for every destination that wants it. Called under the gate.</summary>
    public void Dispatch(EventRecord @event)
    {
        foreach (var destination in _destinations.Where(d => d.Wants(@event.Type)))
        {
            var delivery = new DeliveryState(@event, destination);
            @event.Deliveries.Add(delivery);
        }

        // Rendered once all deliveries exist, so pending_webhooks counts them; retries resend the same bytes.
        foreach (var delivery in @event.Deliveries)
        {
            delivery.Body = @event.ToJson(delivery.Destination.ApiVersion ?? @event.ApiVersion).ToJsonString(StripeJson.Options);
            _queue.Writer.TryWrite(delivery);
        }
    }

    /// <summary>Records what a destination answered, outside the send loop (a <c>stripe listen</c> reply). Called under the gate.</summary>
    public static void Record(DeliveryState delivery, WebhookAttempt attempt, WebhookDeliveryStatus status)
    {
        delivery.Attempts.Add(attempt);
        delivery.Status = status;
    }

    /// <summary>The <c>Stripe-Signature</c> header value: <c>t={unix},v1={hex HMAC-SHA256 of "t.body"}</c>.</summary>
    internal static string Sign(string secret, long timestamp, string body)
    {
        var signed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(signed)}";
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation when the emulator stops; nothing was lost that a stopped emulator could send.
        }

        _stopping.Dispose();
        _http.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            if (delivery.Destination is CliSession session)
            {
                await PushAsync(session, delivery, cancellationToken);
            }
            else
            {
                await PostAsync(delivery, cancellationToken);
            }
        }
    }

    private async Task PushAsync(CliSession session, DeliveryState delivery, CancellationToken cancellationToken)
    {
        var started = _state.Time.GetUtcNow();
        var error = await session.PushAsync(delivery, Sign(session.Secret, started.ToUnixTimeSeconds(), delivery.Body), cancellationToken);
        lock (_state.Gate)
        {
            // Pushed is as far as the emulator sees, unless the CLI reports back what its forward-to URL answered.
            if (error is null)
            {
                delivery.Status = WebhookDeliveryStatus.Sent;
            }
            else
            {
                Record(delivery, new WebhookAttempt(delivery.Attempts.Count + 1, started, null, error, _state.Time.GetUtcNow() - started), WebhookDeliveryStatus.Failed);
            }
        }
    }

    private async Task PostAsync(DeliveryState delivery, CancellationToken cancellationToken)
    {
        var started = _state.Time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Destination.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(delivery.Destination.Secret, started.ToUnixTimeSeconds(), delivery.Body));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

        int? statusCode = null;
        string? error = null;
        using var timeout = new CancellationTokenSource(Options.WebhookTimeout, _state.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            statusCode = (int)response.StatusCode;
        }
        catch (HttpRequestException exception)
        {
            error = exception.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"Timed out after {Options.WebhookTimeout.TotalSeconds:0.#} s";
        }

        var succeeded = statusCode is >= 200 and < 300;
        TimeSpan? retryIn;
        lock (_state.Gate)
        {
            var attempt = new WebhookAttempt(delivery.Attempts.Count + 1, started, statusCode, error, _state.Time.GetUtcNow() - started);
            retryIn = succeeded || attempt.Number > Options.RetrySchedule.Length || !_destinations.Contains(delivery.Destination)
                ? null
                : Options.RetrySchedule[attempt.Number - 1];
            Record(delivery, attempt, succeeded ? WebhookDeliveryStatus.Succeeded : retryIn is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Retrying);
        }

        if (succeeded)
        {
            _logger.LogInformation("Delivered {EventType} {EventId} to {Endpoint}: {StatusCode}", delivery.Event.Type, delivery.Event.Id, delivery.Destination.Url, statusCode);
        }
        else
        {
            _logger.LogWarning(
                "Delivery of {EventType} {EventId} to {Endpoint} failed ({StatusCode} {Error}); retry in {RetryIn}",
                delivery.Event.Type,
                delivery.Event.Id,
                delivery.Destination.Url,
                statusCode,
                error,
                retryIn);
        }

        if (retryIn is { } delay)
        {
            _ = RetryLaterAsync(delivery, delay, cancellationToken);
        }
    }

    private async Task RetryLaterAsync(DeliveryState delivery, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _state.Time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return; // the emulator is stopping: pending retries die with it, as they would with a stopped Stripe CLI
        }

        _queue.Writer.TryWrite(delivery);
    }
}
