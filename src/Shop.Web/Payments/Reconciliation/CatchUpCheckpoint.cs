namespace Shop.Web.Payments.Reconciliation;

/// <summary>How far back catch-up has listed Stripe's events completely: the next pass lists from here (less the overlap).</summary>
public sealed class CatchUpCheckpoint
{
    public const string EventsName = "stripe-events";

    public required string Name { get; init; }

    /// <summary>Every event Stripe created before this time (by Stripe's clock) has been listed and written.</summary>
    public DateTimeOffset ListedUntil { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
