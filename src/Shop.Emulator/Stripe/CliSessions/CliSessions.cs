using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>
/// What <c>stripe listen --api-base http://127.0.0.1:12111</c> needs: <c>POST /v1/stripecli/sessions</c> (as in the CLI's
/// pkg/stripeauth) and a websocket speaking its protocol (pkg/websocket): the emulator pushes <c>webhook_event</c>
/// messages, the CLI answers <c>event_ack</c> and, after forwarding, <c>webhook_response</c>.
/// </summary>
internal sealed class CliSessions(StripeState state, WebhookSender webhooks, ILogger logger)
{
    public const string WebSocketPath = "/stripecli/websocket";
    private const string SubProtocol = "stripecli-devproxy-v1";
    private const int MaxSessionsWaiting = 100;

    private static readonly ParamSchema s_create = ParamSchema.Of(
        ("device_name", Param.String), ("forward_to_url", Param.String), ("forward_connect_to_url", Param.String),
        ("forward_thin_to_url", Param.String), ("forward_thin_connect_to_url", Param.String), ("websocket_features", Param.List(Param.String)));

    private readonly Dictionary<string, CliSession> _sessions = new(StringComparer.Ordinal);

    public void Map(StripeApi api, IEndpointRouteBuilder app)
    {
        api.Post("/stripecli/sessions", s_create, Create);
        app.Map(WebSocketPath, ListenAsync);
    }

    private JsonObject Create(ApiRequest request)
    {
        var id = StripeIds.New("cli");
        var forwardTo = request.Params.String("forward_to_url") ?? "";
        var websocketUrl = new UriBuilder(new Uri(state.BaseUrl, WebSocketPath.TrimStart('/'))) { Scheme = "ws" }.Uri;
        // Stripe gives the CLI one stable secret per account. The emulator's account secret is its WebhookSecret, which a
        // shop in offline mode already trusts: events forwarded by stripe listen verify with no configuration change.
        var session = new CliSession(id, state.Options.WebhookSecret, forwardTo, websocketUrl);
        if (_sessions.Count >= MaxSessionsWaiting)
        {
            // Sessions are kept after a disconnect, since the CLI reconnects every reconnect_delay; drop those not connected now.
            foreach (var idle in _sessions.Values.Where(s => !webhooks.Destinations.Contains(s)).ToList())
            {
                _sessions.Remove(idle.Id);
            }
        }

        _sessions[id] = session;

        return new JsonObject
        {
            ["websocket_url"] = websocketUrl.ToString(),
            ["websocket_id"] = id,
            ["websocket_authorized_feature"] = "webhook-payloads",
            ["secret"] = session.Secret,
            // The CLI drops and redials its websocket every reconnect_delay seconds; events in that gap are not sent.
            ["reconnect_delay"] = 600,
            ["display_connect_filter_warning"] = false,
            ["default_version"] = StripeEmulatorServer.ApiVersion,
            ["latest_version"] = StripeEmulatorServer.ApiVersion,
        };
    }

    private async Task ListenAsync(HttpContext http)
    {
        CliSession? session;
        lock (state.Gate)
        {
            session = _sessions.GetValueOrDefault(http.Request.Headers["Websocket-Id"].ToString());
        }

        if (!http.WebSockets.IsWebSocketRequest || session is null)
        {
            http.Response.StatusCode = session is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            return;
        }

        lock (state.Gate)
        {
            session.Connecting();
            webhooks.Add(session);
        }

        var accept = new WebSocketAcceptContext { SubProtocol = http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol) ? SubProtocol : null };
        WebSocket socket;
        try
        {
            socket = await http.WebSockets.AcceptWebSocketAsync(accept);
        }
        catch
        {
            Disconnect(session, socket: null);
            throw;
        }

        using var _ = socket;
        session.Attach(socket);
        logger.LogInformation("stripe listen connected: session {SessionId} forwarding to {ForwardTo}", session.Id, session.Label);
        try
        {
            await ReadRepliesAsync(session, socket, http.RequestAborted);
        }
        finally
        {
            Disconnect(session, socket);
            logger.LogInformation("stripe listen disconnected: session {SessionId}", session.Id);
        }
    }

    private void Disconnect(CliSession session, WebSocket? socket)
    {
        lock (state.Gate)
        {
            if (session.Detach(socket))
            {
                webhooks.Remove(session);
            }
        }
    }

    private async Task ReadRepliesAsync(CliSession session, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                return; // the CLI went away
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                Handle(session, message.ToArray());
                message.SetLength(0);
            }
        }
    }

    private void Handle(CliSession session, byte[] message)
    {
        JsonObject? reply;
        try
        {
            reply = JsonNode.Parse(message) as JsonObject;
        }
        catch (JsonException)
        {
            logger.LogWarning("stripe listen session {SessionId} sent a message that is not JSON", session.Id);
            return;
        }

        // event_ack only says the CLI received the event; webhook_response says what the forward-to URL answered.
        if (reply?["type"]?.GetValue<string>() != "webhook_response"
            || reply["webhook_id"]?.GetValue<string>() is not { } webhookId
            || session.TakeAwaitingReply(webhookId) is not { } delivery)
        {
            return;
        }

        var status = reply["status"]?.GetValue<int>();
        lock (state.Gate)
        {
            var now = state.Time.GetUtcNow();
            var attempt = new WebhookAttempt(delivery.Attempts.Count + 1, now, status, status is null ? "no status from stripe listen" : null, TimeSpan.Zero);
            WebhookSender.Record(delivery, attempt, status is >= 200 and < 300 ? WebhookDeliveryStatus.Succeeded : WebhookDeliveryStatus.Failed);
        }
    }
}
