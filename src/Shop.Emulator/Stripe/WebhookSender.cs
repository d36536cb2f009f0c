using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Creates events in Stripe's shape and POSTs them, signed, to every endpoint in the background; failed
/// attempts are retried on <see cref="StripeEmulatorOptions.RetrySchedule"/>. First attempts go out one at a
/// time in creation order (Stripe promises no order, but a steady one makes a developer's log readable);
/// retries wait on their own timers so a failing endpoint never holds the others back for long.
/// </summary>
internal sealed class WebhookSender : IAsyncDisposable
{
    private const int MaxEventsKept = 1000;

    private readonly StripeEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own WebhookTimeout on the TimeProvider
    };

    private readonly Channel<DeliveryState> _queue = Channel.CreateUnbounded<DeliveryState>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Uri> _endpoints = [];
    private readonly LinkedList<EventState> _events = new(); // newest first
    private readonly Task _loop;

    public WebhookSender(StripeEmulatorOptions options, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _endpoints.AddRange(options.WebhookEndpoints);
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    public void AddEndpoint(Uri url)
    {
        lock (_gate)
        {
            if (!_endpoints.Contains(url))
            {
                _endpoints.Add(url);
            }
        }
    }

    /// <summary>Records an event and queues it for every endpoint. Returns the event's JSON.</summary>
    public JsonObject Publish(string type, JsonObject dataObject, string? requestId, string? idempotencyKey, JsonObject? previousAttributes = null)
    {
        var created = _time.GetUtcNow();
        lock (_gate)
        {
            var data = new JsonObject { ["object"] = dataObject.DeepClone() };
            if (previousAttributes is not null)
            {
                data["previous_attributes"] = previousAttributes.DeepClone();
            }

            var json = new JsonObject
            {
                ["id"] = StripeIds.New("evt"),
                ["object"] = "event",
                ["api_version"] = StripeEmulatorServer.ApiVersion,
                ["created"] = created.ToUnixTimeSeconds(),
                ["data"] = data,
                ["livemode"] = false,
                ["pending_webhooks"] = _endpoints.Count,
                ["request"] = new JsonObject { ["id"] = requestId, ["idempotency_key"] = idempotencyKey },
                ["type"] = type,
            };
            var state = new EventState((string)json["id"]!, type, created, json.ToJsonString(StripeJson.Options));
            foreach (var endpoint in _endpoints)
            {
                var delivery = new DeliveryState(state, endpoint);
                state.Deliveries.Add(delivery);
                _queue.Writer.TryWrite(delivery);
            }

            _events.AddFirst(state);
            if (_events.Count > MaxEventsKept)
            {
                _events.RemoveLast();
            }

            return json;
        }
    }

    public IReadOnlyList<WebhookDelivery> GetDeliveries()
    {
        lock (_gate)
        {
            return [.. _events.SelectMany(e => e.Deliveries.Select(d =>
                new WebhookDelivery(e.Id, e.Type, e.Created, d.Endpoint, d.Status, [.. d.Attempts])))];
        }
    }

    /// <summary>Events newest first, including those sent to no endpoint, for the deliveries page.</summary>
    public IReadOnlyList<(string Id, string Type, DateTimeOffset Created, IReadOnlyList<WebhookDelivery> Deliveries)> GetEvents()
    {
        lock (_gate)
        {
            return [.. _events.Select(e => (e.Id, e.Type, e.Created, (IReadOnlyList<WebhookDelivery>)[.. e.Deliveries.Select(d =>
                new WebhookDelivery(e.Id, e.Type, e.Created, d.Endpoint, d.Status, [.. d.Attempts]))]))];
        }
    }

    private int _disposed;

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

    /// <summary>The <c>Stripe-Signature</c> header value: <c>t={unix},v1={hex HMAC-SHA256 of "t.body"}</c>.</summary>
    internal static string Sign(string secret, long timestamp, string body)
    {
        var signed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(signed)}";
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            await AttemptAsync(delivery, cancellationToken);
        }
    }

    private async Task AttemptAsync(DeliveryState delivery, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Endpoint)
        {
            Content = new StringContent(delivery.Event.Body, Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(_options.WebhookSecret, started.ToUnixTimeSeconds(), delivery.Event.Body));
        request.Headers.TryAddWithoutValidation("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)");

        int? statusCode = null;
        string? error = null;
        using var timeout = new CancellationTokenSource(_options.WebhookTimeout, _time);
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
            error = $"Timed out after {_options.WebhookTimeout.TotalSeconds:0.#} s";
        }

        var succeeded = statusCode is >= 200 and < 300;
        TimeSpan? retryIn;
        lock (_gate)
        {
            delivery.Attempts.Add(new WebhookAttempt(delivery.Attempts.Count + 1, started, statusCode, error, _time.GetUtcNow() - started));
            retryIn = succeeded || delivery.Attempts.Count > _options.RetrySchedule.Length
                ? null
                : _options.RetrySchedule[delivery.Attempts.Count - 1];
            delivery.Status = succeeded ? WebhookDeliveryStatus.Succeeded
                : retryIn is null ? WebhookDeliveryStatus.Failed
                : WebhookDeliveryStatus.Retrying;
        }

        if (succeeded)
        {
            _logger.LogInformation("Delivered {EventType} {EventId} to {Endpoint}: {StatusCode}", delivery.Event.Type, delivery.Event.Id, delivery.Endpoint, statusCode);
        }
        else
        {
            _logger.LogWarning(
                "Delivery of {EventType} {EventId} to {Endpoint} failed ({StatusCode} {Error}); retry in {RetryIn}",
                delivery.Event.Type,
                delivery.Event.Id,
                delivery.Endpoint,
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
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return; // the emulator is stopping: pending retries die with it, as they would with a stopped Stripe CLI
        }

        _queue.Writer.TryWrite(delivery);
    }

    private sealed record EventState(string Id, string Type, DateTimeOffset Created, string Body)
    {
        public List<DeliveryState> Deliveries { get; } = [];
    }

    private sealed class DeliveryState(EventState @event, Uri endpoint)
    {
        public EventState Event { get; } = @event;

        public Uri Endpoint { get; } = endpoint;

        public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;

        public List<WebhookAttempt> Attempts { get; } = [];
    }
}
