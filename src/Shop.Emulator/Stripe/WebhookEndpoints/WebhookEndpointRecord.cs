using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>Somewhere events go: a webhook endpoint, or a <c>stripe listen</c> session.</summary>
internal interface IEventDestination
{
    /// <summary>Where it is, for the deliveries page.</summary>
    Uri Url { get; }

    /// <summary>How the deliveries page names it.</summary>
    string Label { get; }

    /// <summary>The signing secret for <c>Stripe-Signature</c>.</summary>
    string Secret { get; }

    /// <summary>The API version events are rendered in for it; null for each event's own.</summary>
    string? ApiVersion { get; }

    bool Wants(string eventType);
}

internal sealed class WebhookEndpointRecord : StripeObject, IEventDestination
{
    public required Uri Url { get; set; }

    public required string Secret { get; init; }

    public string? ApiVersion { get; init; }

    public List<string> EnabledEvents { get; set; } = ["*"];

    public bool Disabled { get; set; }

    public string Label => Url.ToString();

    public string? Description { get; set; }

    public bool Wants(string eventType) => !Disabled && EnabledEvents.Any(pattern => Events.TypeMatches(pattern, eventType));

    public override JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "webhook_endpoint",
        ["api_version"] = ApiVersion,
        ["application"] = null,
        ["created"] = Created,
        ["description"] = Description,
        ["enabled_events"] = new JsonArray([.. EnabledEvents.Select(e => (JsonNode)e)]),
        ["livemode"] = false,
        ["metadata"] = MetadataJson(),
        ["status"] = Disabled ? "disabled" : "enabled",
        ["url"] = Url.ToString(),
    };

    /// <summary>Only the create call shows the secret, as with Stripe.</summary>
    public JsonObject ToJsonWithSecret()
    {
        var json = ToJson();
        json["secret"] = Secret;
        return json;
    }
}
