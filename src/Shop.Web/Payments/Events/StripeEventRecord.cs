namespace Shop.Web.Payments.Events;

public enum StripeEventOutcome
{
    /// <summary>The event told the shop something new about an order's payment.</summary>
    Applied,

    /// <summary>About a known order, but nothing newer than what the shop already knew (late, or the same news again).</summary>
    Stale,

    /// <summary>About a PaymentIntent no order has (another integration's, a CLI trigger's).</summary>
    Ignored,

    /// <summary>A live event for a shop on a test key, or the other way round: recorded, never applied.</summary>
    LivemodeMismatch,
}

public enum StripeEventSource
{
    Webhook,

    /// <summary>The reconciliation job asked Stripe's API about an order whose webhook had not come.</summary>
    Reconciliation,

    /// <summary>Listed from Stripe's events API after the shop missed it (down longer than Stripe retries, say).</summary>
    CatchUp,
}

/// <summary>
/// Every event the shop accepted, keyed by Stripe's event id: the dedupe record, stored in the same transaction as the
/// effects it caused, so a redelivery or the same event listed by catch-up changes nothing.
/// </summary>
public sealed class StripeEventRecord
{
    public required string EventId { get; init; }

    public required string Type { get; init; }

    public long? OrderId { get; init; }

    public string? PaymentIntentId { get; init; }

    /// <summary>When Stripe created the event; catch-up lists from the newest of these.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public StripeEventSource Source { get; init; }

    public StripeEventOutcome Outcome { get; init; }
}
