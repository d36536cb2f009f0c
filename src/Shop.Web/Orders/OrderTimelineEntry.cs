namespace Shop.Web.Orders;

/// <summary>
/// One line of an order's history as the shop learned it: a Stripe event, a reconciliation, an operator's action. Written
/// in the same transaction as the change it describes.
/// </summary>
public sealed class OrderTimelineEntry
{
    /// <summary>Made with the entry, never by the database, so the entry can be written with the rest of a batch.</summary>
    public Guid Id { get; init; }

    public long OrderId { get; init; }

    /// <summary>When the shop recorded it.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Where it came from: "webhook", "reconciliation", "catch_up" (StripeEventNames), or who did it.</summary>
    public required string Source { get; init; }

    /// <summary>What happened, in Stripe's words where it is an event ("charge.refunded").</summary>
    public required string Title { get; init; }

    /// <summary>What it did, in words: "AwaitingPayment → Paid: paid $24.00".</summary>
    public required string Description { get; init; }

    /// <summary>The Stripe event (or synthetic reconciliation id) it came from, if any.</summary>
    public string? EventId { get; init; }

    /// <summary>When Stripe says the news happened (the event's created time), if it came from Stripe.</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}
