using Microsoft.Extensions.Options;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>
/// Turns one piece of news from Stripe into its effects: the facts it carries are merged into what is known (older ones
/// change nothing), the order takes the status derived from all facts, the timeline records it, and each email that the
/// change calls for is queued once. Webhooks, reconciliation and catch-up all come through here.
/// </summary>
public sealed class StripeEventApplier(IOptions<ShopOptions> shop, IOptions<StripeOptions> stripe, ILogger<StripeEventApplier> logger)
{
    /// <summary>Adds the event's record, fact changes, timeline entry and outbox rows to <paramref name="db"/>; the caller saves and commits.</summary>
    /// <param name="known">The order's facts as tracked by <paramref name="db"/>; null when no order has the event's PaymentIntent.</param>
    public StripeEventOutcome Apply(ShopDbContext db, StripeEvent stripeEvent, StripeEventSource source, Order? order, PaymentFactSet? known, DateTimeOffset now)
    {
        var outcome = IsOtherMode(stripeEvent) ? StripeEventOutcome.LivemodeMismatch
            : order is null || known is null ? StripeEventOutcome.Ignored
            : ApplyToOrder(db, stripeEvent, source, order, known, now);
        db.StripeEvents.Add(new StripeEventRecord
        {
            EventId = stripeEvent.Id,
            Type = stripeEvent.Type,
            OrderId = order?.Id,
            PaymentIntentId = stripeEvent.PaymentIntentId,
            CreatedAt = stripeEvent.Created,
            ReceivedAt = now,
            Source = source,
            Outcome = outcome,
        });
        return outcome;
    }

    /// <summary>
    /// A test event must never pay a live order, nor a live one a test order (an endpoint or a signing secret shared across
    /// modes). An event without livemode (reconciliation's, made from API reads with the shop's own key) is the key's mode.
    /// </summary>
    private bool IsOtherMode(StripeEvent stripeEvent)
    {
        if (stripeEvent.Livemode is not { } live || live == stripe.Value.IsLiveKey)
        {
            return false;
        }

        logger.LogWarning("Stripe event {EventId} ({EventType}) has livemode {Livemode} but Stripe:SecretKey is a {KeyMode} key: recorded, not applied",
            stripeEvent.Id, stripeEvent.Type, live, stripe.Value.IsLiveKey ? "live" : "test");
        return true;
    }

    private StripeEventOutcome ApplyToOrder(ShopDbContext db, StripeEvent stripeEvent, StripeEventSource source, Order order, PaymentFactSet known, DateTimeOffset now)
    {
        var before = known.Derive(order);
        // Merging updates the known facts in place: their stages are copied first.
        var disputesBefore = known.Disputes.ToDictionary(d => d.Key, d => d.Value.Stage, StringComparer.Ordinal);
        var merges = stripeEvent.Facts.Select(fact => (Fact: fact, Merge: known.Merge(db, fact))).ToList();
        var news = merges.Where(m => m.Merge == FactMerge.News).Select(m => m.Fact).ToList();
        var description = stripeEvent.Facts.Count == 0
            ? "Carries nothing about the payment"
            : "Nothing new: Stripe has already told the shop this or something newer";
        if (merges.Any(m => m.Merge != FactMerge.Stale))
        {
            // Also when a fact only moved its time: the order's version is the lock that keeps two instances from writing
            // the same fact rows at once, and a later refresh must not overwrite news another instance just committed.
            var after = known.Derive(order);
            var transition = order.ApplyPayment(after.Standing, now);
            if (news.Count > 0)
            {
                foreach (var email in EmailsFor(order, before, after, news, disputesBefore, known, now))
                {
                    db.Outbox.Add(email);
                }

                description = $"{transition}: {string.Join("; ", news.Select(f => f.Describe()))}";
                Log(order, stripeEvent, transition, description);
            }
        }

        db.OrderTimeline.Add(new OrderTimelineEntry
        {
            // Time-ordered, like outbox ids: appended to the key's index rather than written into a random page of it.
            Id = Guid.CreateVersion7(now),
            OrderId = order.Id,
            At = now,
            Source = StripeEventNames.Source(source),
            Title = stripeEvent.Type,
            Description = description.Length > 500 ? description[..500] : description,
            EventId = stripeEvent.Id,
            OccurredAt = stripeEvent.Created,
        });
        return news.Count == 0 ? StripeEventOutcome.Stale : StripeEventOutcome.Applied;
    }

    /// <summary>
    /// The emails a change calls for, each keyed by what it is about so the same news never queues it twice: a receipt when
    /// the payment is first confirmed (not if it is already all refunded or lost), a refund notice when more has been
    /// refunded, a decline notice for a new failure that no success has overtaken, and a notice to the operators when a
    /// dispute enters a stage they must answer.
    /// </summary>
    private IEnumerable<OutboxMessage> EmailsFor(Order order, DerivedPayment before, DerivedPayment after, List<IPaymentFact> news,
        Dictionary<string, DisputeStage> disputesBefore, PaymentFactSet known, DateTimeOffset now)
    {
        var status = after.Standing.Status;
        if (!before.Confirmed && after.Confirmed && status is not (OrderStatus.Refunded or OrderStatus.DisputeLost))
        {
            yield return OutboxMessage.Queue(order.Id, CustomerEmailKind.Receipt, "receipt", order.TotalMinorUnits, now);
        }

        var refunded = after.Standing.RefundedMinorUnits;
        if (refunded > before.Standing.RefundedMinorUnits)
        {
            // After a failed refund the same total can be reached again: the failures known make it other news.
            var failures = known.Refunds.Values.Count(r => r.Failed);
            yield return OutboxMessage.Queue(order.Id, CustomerEmailKind.Refund, failures == 0 ? $"refund-{refunded}" : $"refund-{refunded}-after-{failures}-failed", refunded, now);
        }

        if (after.FailureKey is { } failure && failure != before.FailureKey && !after.Succeeded)
        {
            yield return OutboxMessage.Queue(order.Id, CustomerEmailKind.PaymentFailed, $"declined-{failure}", order.TotalMinorUnits, now,
                reason: known.Intent?.FailureMessage);
        }

        if (!string.IsNullOrWhiteSpace(shop.Value.OperatorsEmail))
        {
            foreach (var dispute in news.OfType<DisputeFact>())
            {
                var stageBefore = disputesBefore.TryGetValue(dispute.DisputeId, out var stage) ? stage : (DisputeStage?)null;
                if (OperatorNotice(dispute, stageBefore) is { } notice)
                {
                    yield return OutboxMessage.Queue(order.Id, notice.Kind, notice.Key, dispute.Amount, now, reason: dispute.Reason, dueAt: dispute.EvidenceDueBy);
                }
            }
        }
    }

    /// <summary>
    /// Each stage that asks the shop for an answer is told once: an inquiry, a chargeback, an appeal. A prevented dispute, a
    /// closed inquiry and a decision ask nothing, so they alarm nobody. Stripe's stages only move forward, so a key is never reused.
    /// </summary>
    private static (CustomerEmailKind Kind, string Key)? OperatorNotice(DisputeFact dispute, DisputeStage? before) =>
        dispute.Stage == before ? null : dispute.Stage switch
        {
            DisputeStage.Inquiry => (CustomerEmailKind.DisputeInquiry, $"inquiry-{dispute.DisputeId}"),
            DisputeStage.Chargeback => (CustomerEmailKind.DisputeOpened, $"dispute-{dispute.DisputeId}"),
            DisputeStage.Appeal => (CustomerEmailKind.DisputeAppeal, $"appeal-{dispute.DisputeId}"),
            _ => null,
        };

    private void Log(Order order, StripeEvent stripeEvent, OrderTransition transition, string description)
    {
        if (transition.To == OrderStatus.NeedsReview || transition.To == OrderStatus.Disputed)
        {
            logger.LogWarning("Order {OrderId} is {Status} after {EventType} {EventId}: {Description}",
                order.PublicId, transition.To, stripeEvent.Type, stripeEvent.Id, description);
        }
        else if (logger.IsEnabled(LogLevel.Information))
        {
            // Guarded: this runs for every event, and the arguments would be boxed even with the level switched off.
            logger.LogInformation("Order {OrderId}: {EventType} {EventId}: {Description}", order.PublicId, stripeEvent.Type, stripeEvent.Id, description);
        }
    }
}
