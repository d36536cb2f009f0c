namespace Shop.Web.Payments.Webhooks;

public enum StripeEventOutcome
{
    /// <summary>The event changed the order.</summary>
    Applied,

    /// <summary>The event was about a known order but the transition is not allowed (late, out of order, already done).</summary>
    Refused,

    /// <summary>An event type the shop does not handle, or a PaymentIntent it does not know.</summary>
    Ignored,
}

public enum StripeEventSource
{
    Webhook,

    /// <summary>The reconciliation job asked Stripe's API because no webhook had come.</summary>
    Reconciliation,
}

/// <summary>
/// Every event the shop accepted, keyed by Stripe's event id: the dedupe record (stored in the same transaction as the
/// order change it caused) and the order's timeline.
/// </summary>
public sealed class StripeEventRecord
{
    public required string EventId { get; init; }

    public required string Type { get; init; }

    public long? OrderId { get; init; }

    public string? PaymentIntentId { get; init; }

    /// <summary>When Stripe created the event.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public StripeEventSource Source { get; init; }

    public StripeEventOutcome Outcome { get; init; }

    /// <summary>What it did, in words: "AwaitingPayment → Paid: Paid $24.00".</summary>
    public required string Description { get; init; }
}
