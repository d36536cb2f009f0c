namespace Shop.Web.Email;

public enum CustomerEmailKind
{
    Receipt,
    PaymentFailed,
    Refund,
}

public enum OutboxStatus
{
    Pending,
    Sent,

    /// <summary>Given up: the server refused this message for good (5xx), or it kept failing past Smtp:GiveUpAfter. See LastError; it can be requeued.</summary>
    Failed,
}

/// <summary>
/// An email to send, written in the same transaction as the order change that calls for it, so an order never
/// changes without its email and a duplicate webhook (which changes nothing) never adds a second one.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; }

    public long OrderId { get; init; }

    public CustomerEmailKind Kind { get; init; }

    /// <summary>The amount the email is about (the refund's amount for a refund notice).</summary>
    public long AmountMinorUnits { get; init; }

    /// <summary>For a decline notice: the reason the customer can act on.</summary>
    public string? Reason { get; init; }

    public OutboxStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Claim of one sender instance until this time, so several shop instances never send one row at once.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public string? LockedBy { get; set; }

    /// <summary>Message-Id derived from the row: a re-send after a crash carries the same id, so receivers can tell.</summary>
    public string MessageId(string domain) => $"{Id:N}@{domain}";
}
