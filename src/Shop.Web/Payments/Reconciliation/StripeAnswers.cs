using System.Collections.Concurrent;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>How Stripe last answered a read of one resource (PaymentIntents, events), with a reason fit for an operator.</summary>
public sealed record StripeAnswer(string Resource, StripeReadStatus Status, string? Reason, DateTimeOffset At);

/// <summary>
/// How Stripe last answered this process's reads, per resource: what the "stripe" readiness check reports. Kept apart per
/// resource because a restricted key may read events and not PaymentIntents, and the later success of one must not hide the other.
/// </summary>
public sealed class StripeAnswers(TimeProvider time)
{
    public const string PaymentIntents = "payment_intents";

    public const string Events = "events";

    private readonly ConcurrentDictionary<string, StripeAnswer> _last = new(StringComparer.Ordinal);

    public IReadOnlyList<StripeAnswer> Last => [.. _last.Values.OrderBy(a => a.Resource, StringComparer.Ordinal)];

    public void Record(string resource, StripeReadStatus status, string? reason) =>
        _last[resource] = new StripeAnswer(resource, status, reason, time.GetUtcNow());
}
