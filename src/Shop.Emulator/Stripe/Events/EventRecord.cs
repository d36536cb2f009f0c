using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>An event, as <c>GET /v1/events</c> shows it and as webhooks carry it, with its deliveries to each destination.</summary>
internal sealed class EventRecord : StripeObject
{
    public required string Type { get; init; }

    /// <summary><c>{ "object": ..., "previous_attributes": ... }</c>, a snapshot taken when the event happened.</summary>
    public required JsonObject Data { get; init; }

    public required string ApiVersion { get; init; }

    public string? RequestId { get; init; }

    public string? IdempotencyKey { get; init; }

    public List<DeliveryState> Deliveries { get; } = [];

    /// <summary>Webhook endpoints still waiting for a successful delivery (stripe listen sessions do not count, as with Stripe).</summary>
    public int PendingWebhooks => Deliveries.Count(d => d.Destination is WebhookEndpointRecord && d.Status != WebhookDeliveryStatus.Succeeded);

    public bool DeliveredEverywhere => Deliveries.All(d => d.Status is WebhookDeliveryStatus.Succeeded or WebhookDeliveryStatus.Sent);

    public override JsonObject ToJson() => ToJson(ApiVersion);

    public JsonObject ToJson(string apiVersion) => new()
    {
        ["id"] = Id,
        ["object"] = "event",
        ["api_version"] = apiVersion,
        ["created"] = Created,
        ["data"] = Data.DeepClone(),
        ["livemode"] = false,
        ["pending_webhooks"] = PendingWebhooks,
        ["request"] = new JsonObject { ["id"] = RequestId, ["idempotency_key"] = IdempotencyKey },
        ["type"] = Type,
    };
}

/// <summary>One event on its way to one destination, with every attempt so far. Changed only under <see cref="StripeState.Gate"/>.</summary>
internal sealed class DeliveryState(EventRecord @event, IEventDestination destination)
{
    public EventRecord Event { get; } = @event;

    public IEventDestination Destination { get; } = destination;

    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;

    /// <summary>The event as this destination receives it, rendered once so that retries resend the same bytes.</summary>
    public string Body { get; set; } = "";

    public List<WebhookAttempt> Attempts { get; } = [];

    public WebhookDelivery ToPublic() => new(Event.Id, Event.Type, DateTimeOffset.FromUnixTimeSeconds(Event.Created), Destination.Url, Status, [.. Attempts]);
}
