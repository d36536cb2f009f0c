using System.Text.Json.Serialization;

namespace Shop.Emulator.Stripe;

/// <summary>One event sent (or being sent) to one endpoint, with every attempt so far.</summary>
public sealed record WebhookDelivery(
    string EventId,
    string EventType,
    DateTimeOffset EventCreated,
    Uri Endpoint,
    WebhookDeliveryStatus Status,
    IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>A single POST of an event: the endpoint's status code, or the error when there was no answer.</summary>
public sealed record WebhookAttempt(int Number, DateTimeOffset At, int? StatusCode, string? Error, TimeSpan Duration);

[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryStatus>))]
public enum WebhookDeliveryStatus
{
    Pending,
    Succeeded,
    Retrying,
    Failed,

    /// <summary>Pushed to a <c>stripe listen</c> session; it becomes Succeeded or Failed if the CLI reports what the forward-to URL answered.</summary>
    Sent,
}
