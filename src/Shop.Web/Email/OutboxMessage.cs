namespace Shop.Web.Email;

public enum CustomerEmailKind
{
    Receipt,
    PaymentFailed,
    Refund,

    /// <summary>To the shop's operators (Shop:OperatorsEmail), not the customer: a dispute opened and its evidence due date.</summary>
    DisputeOpened,

    /// <summary>To the operators: the customer's bank asked about a payment (an inquiry, no chargeback yet); answer by its due date.</summary>
    DisputeInquiry,

    /// <summary>To the operators: a lost dispute is being appealed and needs an answer again.</summary>
    DisputeAppeal,
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

    /// <summary>
    /// What the email is about ("receipt", "refund-2400", "declined-ch_…", "dispute-du_…"), unique per order: the same
    /// news can never queue the same email twice, even from two writers at once. Null on rows from before it existed.
    /// </summary>
    public string? DedupeKey { get; init; }

    /// <summary>For a dispute notice: when the evidence is due at Stripe.</summary>
    public DateTimeOffset? DueAt { get; init; }

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

    /// <summary>A new pending email about <paramref name="orderId"/>, due now; see <see cref="DedupeKey"/> for <paramref name="dedupeKey"/>.</summary>
    public static OutboxMessage Queue(long orderId, CustomerEmailKind kind, string dedupeKey, long amountMinorUnits, DateTimeOffset now,
        string? reason = null, DateTimeOffset? dueAt = null) => new()
    {
        // Time-ordered: a new row's key lands on the index's last page instead of a random one (fewer pages per commit).
        Id = Guid.CreateVersion7(now),
        OrderId = orderId,
        Kind = kind,
        DedupeKey = dedupeKey.Length > 255 ? dedupeKey[..255] : dedupeKey,
        AmountMinorUnits = amountMinorUnits,
        Reason = reason is { Length: > 500 } ? reason[..500] : reason,
        DueAt = dueAt,
        Status = OutboxStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    /// <summary>Message-Id derived from the row: a re-send after a crash carries the same id, so receivers can tell.</summary>
    public string MessageId(string domain) => $"{Id:N}@{domain}";
}
