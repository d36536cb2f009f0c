namespace Shop.Web.Admin;

/// <summary>
/// An admin's refund request, written (with its timeline entry) before Stripe is asked, so a refund is never made without
/// someone named for it, even if the process dies before Stripe's answer is written. Its id is the idempotency key's: the
/// same request sent again is the same refund at Stripe, and a request whose answer was lost can be sent again to get it.
/// </summary>
public sealed class RefundRequest
{
    public const int NoteMaxLength = 200;

    /// <summary>Made when the refund form was shown; part of the idempotency key.</summary>
    public Guid Id { get; init; }

    public long OrderId { get; init; }

    /// <summary>The PaymentIntent refunded, as sent to Stripe: a request sent again must carry the same parameters.</summary>
    public required string PaymentIntentId { get; init; }

    public long AmountMinorUnits { get; init; }

    public required string Currency { get; init; }

    /// <summary>The admin's email.</summary>
    public required string RequestedBy { get; init; }

    public string? Note { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When Stripe's answer was written; null while it is unknown (not yet sent, in flight, or lost).</summary>
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>Stripe's refund (re_…), once Stripe accepted the request.</summary>
    public string? StripeRefundId { get; private set; }

    /// <summary>The refund's status in Stripe's answer: succeeded, pending, …</summary>
    public string? StripeRefundStatus { get; private set; }

    /// <summary>Why Stripe refused the request, in Stripe's words, when it did.</summary>
    public string? Refusal { get; private set; }

    public Common.Money Amount => new(AmountMinorUnits, Currency);

    /// <summary>The key Stripe deduplicates on: one refund per request, however often it is sent.</summary>
    public string IdempotencyKey(string orderPublicId) => $"shop-{orderPublicId}-refund-{Id:N}";

    public void Accepted(string refundId, string status, DateTimeOffset at)
    {
        StripeRefundId = refundId;
        StripeRefundStatus = status;
        AnsweredAt = at;
    }

    public void Refused(string reason, DateTimeOffset at)
    {
        Refusal = reason.Length > 500 ? reason[..500] : reason;
        AnsweredAt = at;
    }
}
