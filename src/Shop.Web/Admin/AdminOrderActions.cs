using Microsoft.EntityFrameworkCore;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Web.Admin;

/// <summary>The admin's actions on an order other than refunds; each is written on the order's timeline.</summary>
public sealed class AdminOrderActions(
    ShopDbContext db, PaymentReconciler reconciler, PaymentGateway gateway, FailedEmails failedEmails, AdminTimeline timeline, TimeProvider time)
{
    /// <summary>"Ask Stripe now": reconciles this order at once, through the same writer as webhooks.</summary>
    public async Task<AdminActionResult> AskStripeAsync(string publicId, string admin, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().IgnoreAutoIncludes().SingleOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
        if (order is null)
        {
            return AdminActionResult.Refused("There is no such order.");
        }

        var status = await reconciler.ReconcileAsync(order, cancellationToken);
        var outcome = status switch
        {
            StripeReadStatus.Done => "Stripe answered; the order shows what it said.",
            StripeReadStatus.RateLimited => "Stripe asked the shop to slow down (429); try again in a minute.",
            _ => "Stripe could not be reached or refused the request; the shop's log has the details.",
        };
        await timeline.RecordAsync(order.Id, Guid.NewGuid(), "asked Stripe", $"{admin} asked Stripe about this order: {outcome}", admin, cancellationToken);
        return status == StripeReadStatus.Done ? AdminActionResult.Done(outcome) : AdminActionResult.Refused(outcome);
    }

    /// <summary>
    /// Cancels the PaymentIntent of an order nobody has paid, so it can no longer be paid. The order becomes Canceled when
    /// Stripe's payment_intent.canceled event (or reconciliation) says so.
    /// </summary>
    public async Task<AdminActionResult> CancelPaymentAsync(string publicId, string admin, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().IgnoreAutoIncludes().SingleOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
        if (order is null)
        {
            return AdminActionResult.Refused("There is no such order.");
        }

        if (!order.IsOpenForPayment || order.PaymentIntentId is null)
        {
            return AdminActionResult.Refused($"Only an unpaid order's PaymentIntent can be canceled; this order is {order.Status}.");
        }

        var result = await gateway.CancelPaymentIntentAsync(order, cancellationToken);
        if (result.Failure is { } failure)
        {
            return AdminActionResult.Refused($"Stripe did not cancel the PaymentIntent: {failure.CustomerMessage}");
        }

        await timeline.RecordAsync(order.Id, Guid.NewGuid(), "cancel requested",
            $"{admin} canceled PaymentIntent {order.PaymentIntentId} at Stripe ({result.PaymentIntent?.Status})", admin, cancellationToken);
        return AdminActionResult.Done("Stripe canceled the PaymentIntent. The order changes when Stripe's event confirms it.");
    }

    /// <summary>
    /// Ends a NeedsReview order by accepting the payment as Stripe took it, with the admin's reason: the order keeps the
    /// accepted amount and takes the status derived again from Stripe's facts (Paid, or what refunds make of it). The
    /// other way out is a full refund.
    /// </summary>
    public async Task<AdminActionResult> AcceptReviewAsync(string publicId, string? note, string admin, CancellationToken cancellationToken)
    {
        var order = await db.Orders.IgnoreAutoIncludes().SingleOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
        if (order is null)
        {
            return AdminActionResult.Refused("There is no such order.");
        }

        if (order.Status != OrderStatus.NeedsReview || order.PaymentIntentId is null)
        {
            return AdminActionResult.Refused($"This order is {order.Status}, not NeedsReview: there is nothing to accept.");
        }

        if (string.IsNullOrWhiteSpace(note))
        {
            return AdminActionResult.Refused("Write why the payment is accepted; nothing was recorded.");
        }

        var facts = await PaymentFactSet.LoadAsync(db, order.PaymentIntentId, cancellationToken);
        var now = time.GetUtcNow();
        order.AcceptReviewedPayment(now);
        var transition = order.ApplyPayment(facts.Derive(order).Standing, now);
        try
        {
            // The order and its timeline line are saved together; the order's version refuses news Stripe brought meanwhile.
            await timeline.RecordAsync(order.Id, Guid.NewGuid(), "review accepted",
                $"{admin} accepted the payment of {new Money(order.PaidMinorUnits, order.Currency)} as Stripe took it ({transition}): {note.Trim()}", admin, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return AdminActionResult.Refused("Stripe's news changed the order meanwhile; nothing was recorded. Look at it again and accept it if it still needs review.");
        }

        return AdminActionResult.Done($"The payment is accepted; the order is {order.Status} and the note is on the timeline.");
    }

    /// <summary>Puts a failed email of this order back in the outbox queue.</summary>
    public async Task<AdminActionResult> RequeueEmailAsync(string publicId, Guid emailId, string admin, CancellationToken cancellationToken)
    {
        var email = await db.Outbox.AsNoTracking()
            .Join(db.Orders.IgnoreAutoIncludes(), m => m.OrderId, o => o.Id, (m, o) => new { Message = m, o.PublicId })
            .SingleOrDefaultAsync(x => x.Message.Id == emailId && x.PublicId == publicId, cancellationToken);
        if (email is null)
        {
            return AdminActionResult.Refused("This order has no such email.");
        }

        if (!await failedEmails.RequeueAsync(emailId, cancellationToken))
        {
            return AdminActionResult.Refused($"The {email.Message.Kind} email is {email.Message.Status}, not failed: nothing was requeued.");
        }

        await timeline.RecordAsync(email.Message.OrderId, Guid.NewGuid(), "email requeued",
            $"{admin} put the failed {email.Message.Kind} email back in the queue (after {email.Message.Attempts} attempts: {email.Message.LastError})", admin, cancellationToken);
        return AdminActionResult.Done($"The {email.Message.Kind} email is queued again.");
    }
}
