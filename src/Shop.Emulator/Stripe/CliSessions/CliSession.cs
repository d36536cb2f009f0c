using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// One <c>stripe listen</c>: created by <c>POST /v1/stripecli/sessions</c>, a destination for every event once its
/// websocket connects. The CLI filters by its <c>--events</c> itself, as it does with Stripe, and reports back what
/// its forward-to URL answered.
/// </summary>
internal sealed class CliSession(string id, string secret, string forwardTo, Uri websocketUrl) : IEventDestination
{
    private const int MaxAwaitingReply = 1000;

    private readonly Dictionary<string, DeliveryState> _awaitingReply = new(StringComparer.Ordinal);
    private readonly Queue<string> _awaitingInOrder = new();
    private TaskCompletionSource<WebSocket>? _connection;

    public string Id => id;

    public string Secret => secret;

    public string? ApiVersion => null;

    /// <summary>The websocket, for the deliveries page's endpoint column; <see cref="Label"/> says where the CLI forwards.</summary>
    public Uri Url => websocketUrl;

    public string Label => forwardTo.Length == 0 ? $"stripe listen ({id})" : $"stripe listen → {forwardTo}";

    public bool Wants(string eventType) => _connection is not null;

    /// <summary>
    /// The CLI is dialling: events from now on are for it, and wait for the socket. Set before the handshake completes,
    /// so that nothing created after the CLI sees its connection open can miss it.
    /// </summary>
    public void Connecting() => _connection = new TaskCompletionSource<WebSocket>(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Attach(WebSocket socket) => _connection?.TrySetResult(socket);

    /// <summary>Forgets <paramref name="socket"/> (null: a handshake that failed) unless a reconnect already replaced it; true if it was the session's current one.</summary>
    public bool Detach(WebSocket? socket)
    {
        var connection = _connection;
        var current = connection is null || socket is null
            ? connection is { Task.IsCompleted: false }
            : connection.Task.IsCompletedSuccessfully && connection.Task.Result == socket;
        if (current)
        {
            connection!.TrySetCanceled();
            _connection = null;
        }

        return current;
    }

    /// <summary>Sends the event as the CLI's <c>webhook_event</c> message; returns an error message if the socket is gone.</summary>
    public async Task<string?> PushAsync(DeliveryState delivery, string signature, CancellationToken cancellationToken)
    {
        var webhookId = StripeIds.New("wh");
        var message = new JsonObject
        {
            ["type"] = "webhook_event",
            ["webhook_id"] = webhookId,
            ["webhook_conversation_id"] = StripeIds.New("whc"),
            ["event_payload"] = delivery.Body,
            ["http_headers"] = new JsonObject
            {
                ["Content-Type"] = "application/json; charset=utf-8",
                ["Stripe-Signature"] = signature,
                ["User-Agent"] = WebhookSender.UserAgent,
            },
            // A null api_version is the account's default: what the CLI forwards unless run with --latest.
            ["endpoint"] = new JsonObject { ["api_version"] = null },
        };
        lock (_awaitingReply)
        {
            _awaitingReply[webhookId] = delivery;
            _awaitingInOrder.Enqueue(webhookId);
            if (_awaitingInOrder.Count > MaxAwaitingReply)
            {
                _awaitingReply.Remove(_awaitingInOrder.Dequeue());
            }
        }

        if (_connection is not { } connection)
        {
            return "stripe listen disconnected";
        }

        WebSocket socket;
        try
        {
            socket = await connection.Task.WaitAsync(cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "stripe listen disconnected";
        }

        if (socket.State != WebSocketState.Open)
        {
            return "stripe listen disconnected";
        }

        // Only the WebhookSender's single loop sends, so sends never overlap on the socket.
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString(StripeJson.Options)), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return null;
        }
        catch (WebSocketException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>The delivery a <c>webhook_response</c> message reports on, if still known.</summary>
    public DeliveryState? TakeAwaitingReply(string webhookId)
    {
        lock (_awaitingReply)
        {
            return _awaitingReply.Remove(webhookId, out var delivery) ? delivery : null;
        }
    }
}
