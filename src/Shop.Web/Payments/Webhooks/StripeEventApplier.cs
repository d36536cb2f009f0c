using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Webhooks;

/// <summary>
/// Turns one Stripe event into its effects on the order: the transition, the timeline record and, when the order
/// really changed, the customer email in the outbox. Webhooks and reconciliation both come through here.
/// </summary>
public sealed class StripeEventApplier(ILogger<StripeEventApplier> logger)
{
    public static readonly IReadOnlySet<string> HandledTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "payment_intent.succeeded",
        "payment_intent.processing",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
    };

    /// <summary>Adds the event's record (and any outbox row) to <paramref name="db"/>; the caller saves and commits.</summary>
    public StripeEventOutcome Apply(ShopDbContext db, StripeEvent stripeEvent, StripeEventSource source, Order? order, DateTimeOffset now)
    {
        var (outcome, description) = Decide(stripeEvent, order, now, out var transition);
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
            Description = description.Length > 500 ? description[..500] : description,
        });

        if (order is not null && transition is { Changed: true } && EmailFor(order, transition, now) is { } email)
        {
            db.Outbox.Add(email);
        }

        if (order is not null && transition is not null)
        {
            if (transition.To == OrderStatus.NeedsReview)
            {
                logger.LogWarning("Order {OrderId} needs review after {EventType} {EventId}: {Description}",
                    order.PublicId, stripeEvent.Type, stripeEvent.Id, description);
            }
            else if (logger.IsEnabled(LogLevel.Information))
            {
                // Guarded: this runs for every event, and the arguments would be boxed even with the level switched off.
                logger.LogInformation("Order {OrderId}: {EventType} {EventId} {Outcome}: {Description}",
                    order.PublicId, stripeEvent.Type, stripeEvent.Id, outcome, description);
            }
        }

        return outcome;
    }

    private static (StripeEventOutcome, string) Decide(StripeEvent e, Order? order, DateTimeOffset now, out OrderTransition? transition)
    {
        transition = null;
        if (!HandledTypes.Contains(e.Type))
        {
            return (StripeEventOutcome.Ignored, $"Event type {e.Type} is not handled");
        }

        if (order is null)
        {
            return (StripeEventOutcome.Ignored, $"No order has PaymentIntent {e.PaymentIntentId ?? "(none)"}");
        }

        transition = e.Type switch
        {
            "payment_intent.succeeded" => order.MarkPaid(e.Amount ?? -1, e.Currency ?? "", now),
            "payment_intent.processing" => order.MarkProcessing(now),
            "payment_intent.payment_failed" => order.MarkPaymentFailed(e.FailureMessage, e.FailureCode, now),
            "payment_intent.canceled" => order.MarkCanceled(now),
            "charge.refunded" => order.RecordRefund(e.AmountRefunded ?? 0, now),
            "charge.dispute.created" => order.OpenDispute(now),
            // "warning_closed" ends an inquiry that never became a chargeback: no money moved.
            "charge.dispute.closed" => order.CloseDispute(won: e.Status is "won" or "warning_closed", now),
            _ => throw new InvalidOperationException($"Handled type {e.Type} has no transition."),
        };

        var description = transition.Applied
            ? $"{transition.From} → {transition.To}: {transition.Description}"
            : transition.Description;
        return (transition.Applied ? StripeEventOutcome.Applied : StripeEventOutcome.Refused, description);
    }

    private static OutboxMessage? EmailFor(Order order, OrderTransition transition, DateTimeOffset now)
    {
        CustomerEmailKind? kind = transition.To switch
        {
            OrderStatus.Paid when transition.From is not OrderStatus.Disputed => CustomerEmailKind.Receipt,
            OrderStatus.PaymentFailed => CustomerEmailKind.PaymentFailed,
            OrderStatus.Refunded or OrderStatus.PartiallyRefunded => CustomerEmailKind.Refund,
            _ => null,
        };

        return kind is null ? null : new OutboxMessage
        {
            Id = Guid.NewGuid(),
            OrderId = order.Id,
            Kind = kind.Value,
            AmountMinorUnits = kind == CustomerEmailKind.Refund ? order.RefundedMinorUnits : order.TotalMinorUnits,
            Reason = kind == CustomerEmailKind.PaymentFailed ? order.PaymentFailureMessage : null,
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }
}
