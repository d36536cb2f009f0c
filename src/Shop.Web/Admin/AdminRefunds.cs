using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments;

namespace Shop.Web.Admin;

/// <summary>
/// An admin's refund: recorded on the order's timeline, asked of Stripe, and Stripe's answer recorded. The order itself does
/// not change here: it changes when Stripe's charge.refunded event (or reconciliation) confirms the refund, like every other
/// payment fact.
/// </summary>
public sealed class AdminRefunds(ShopDbContext db, RefundGateway refunds, AdminTimeline timeline, TimeProvider time, ILogger<AdminRefunds> logger)
{
    /// <param name="requestId">Made when the refund form was shown and sent back with it: the same form sent twice is one
    /// refund request, so Stripe gets the same idempotency key and makes one refund.</param>
    /// <param name="amount">In major units as the admin typed it ("4.00"); a request already recorded keeps its own.</param>
    public async Task<AdminActionResult> RefundAsync(string publicId, Guid requestId, string? amount, string? note, string admin,
        CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().IgnoreAutoIncludes().SingleOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
        if (order is null)
        {
            return AdminActionResult.Refused("There is no such order.");
        }

        var request = await db.RefundRequests.SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        var mayHaveBeenSent = request is not null;
        if (request is null)
        {
            if (Validate(order, amount, note, out var minorUnits) is { } refusal)
            {
                return refusal;
            }

            request = await RecordAsync(order, requestId, minorUnits, note, admin, cancellationToken);
        }

        if (request.OrderId != order.Id)
        {
            return AdminActionResult.Refused("This refund request belongs to another order; nothing was sent to Stripe.");
        }

        // A request already answered is not sent again: its answer is known. One whose answer is unknown (in flight, lost
        // with a dying process or a broken connection) is looked for at Stripe and sent again only if Stripe has no
        // refund carrying its id, so the answer can be recorded at last.
        return request.AnsweredAt is null
            ? await SendAsync(order, request, mayHaveBeenSent, admin, cancellationToken)
            : AnswerOf(request);
    }

    /// <summary>Why this refund cannot be asked for, or null when it can.</summary>
    private AdminActionResult? Validate(Order order, string? amount, string? note, out long minorUnits)
    {
        minorUnits = 0;
        if (order.PaidMinorUnits <= 0 || order.PaymentIntentId is null)
        {
            return AdminActionResult.Refused($"Order {order.PublicId} has no confirmed payment to refund (it is {order.Status}).");
        }

        var refundable = new Money(order.PaidMinorUnits - order.RefundedMinorUnits, order.Currency);
        if (ParseAmount(amount, order.Currency) is not { } parsed || parsed <= 0)
        {
            return AdminActionResult.Refused($"\"{amount}\" is not an amount to refund: write a number above zero in {order.Currency.ToUpperInvariant()}, like 4.00.");
        }

        minorUnits = parsed;
        if (minorUnits > refundable.MinorUnits)
        {
            return AdminActionResult.Refused($"{new Money(minorUnits, order.Currency)} is more than what remains refundable ({refundable}).");
        }

        if (note?.Trim().Length > RefundRequest.NoteMaxLength)
        {
            return AdminActionResult.Refused($"The note is longer than {RefundRequest.NoteMaxLength} characters; shorten it. Nothing was sent to Stripe.");
        }

        return refunds.IsConfigured ? null : AdminActionResult.Refused("Stripe is not configured, so nothing can be refunded.");
    }

    /// <summary>
    /// Writes the request and its line on the timeline before Stripe hears of it: if the process dies once Stripe has made
    /// the refund, the timeline still says who asked for it, and the request can be sent again to learn Stripe's answer.
    /// </summary>
    private async Task<RefundRequest> RecordAsync(Order order, Guid requestId, long minorUnits, string? note, string admin, CancellationToken cancellationToken)
    {
        var request = new RefundRequest
        {
            Id = requestId,
            OrderId = order.Id,
            PaymentIntentId = order.PaymentIntentId!,
            AmountMinorUnits = minorUnits,
            Currency = order.Currency,
            RequestedBy = admin,
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            RequestedAt = time.GetUtcNow(),
        };
        db.RefundRequests.Add(request);
        var recorded = await timeline.RecordAsync(order.Id, requestId, "refund requested",
            $"{admin} asked Stripe to refund {request.Amount}" + (request.Note is null ? "" : $": {request.Note}"), admin, cancellationToken);

        // The same form sent concurrently was recorded first: this click sends that request.
        return recorded ? request : await db.RefundRequests.SingleAsync(r => r.Id == requestId, cancellationToken);
    }

    private async Task<AdminActionResult> SendAsync(Order order, RefundRequest request, bool mayHaveBeenSent, string admin, CancellationToken cancellationToken)
    {
        if (!refunds.IsConfigured)
        {
            return AdminActionResult.Refused("Stripe is not configured, so nothing can be refunded.");
        }

        var answer = await refunds.RefundAsync(
            new RefundOrder(order.PublicId, request.Id, request.PaymentIntentId, request.AmountMinorUnits, request.IdempotencyKey(order.PublicId)),
            mayHaveBeenSent, cancellationToken);
        switch (answer.Outcome)
        {
            case RefundOutcome.Refused:
                var refused = $"Stripe refused the refund: {answer.Details}.";
                request.Refused(refused, time.GetUtcNow());
                await timeline.RecordAsync(order.Id, AnswerEntryId(request.Id), "refund refused",
                    $"Stripe refused the refund of {request.Amount} asked by {request.RequestedBy}: {answer.Details}", admin, cancellationToken);
                return AdminActionResult.Refused(refused);
            case RefundOutcome.Unknown:
                return UnknownOutcome(answer.HttpStatus is { } status ? $"Stripe answered {(int)status}: {answer.Details}" : "Stripe did not answer");
        }

        request.Accepted(answer.RefundId!, answer.RefundStatus!, time.GetUtcNow());
        await timeline.RecordAsync(order.Id, AnswerEntryId(request.Id), "refund accepted",
            $"Stripe accepted the refund of {request.Amount} asked by {request.RequestedBy}: {answer.RefundId} ({answer.RefundStatus})", admin, cancellationToken);
        logger.LogInformation("Admin refund {RefundId} of order {OrderId} accepted by Stripe", answer.RefundId, order.PublicId);
        return AdminActionResult.Done($"Stripe accepted the refund of {request.Amount} ({answer.RefundStatus}). The order changes when Stripe confirms it.");
    }

    private static AdminActionResult AnswerOf(RefundRequest request) =>
        request.Refusal is { } refusal
            ? AdminActionResult.Refused($"This refund request was answered already. {refusal}")
            : AdminActionResult.Done($"This refund was already requested: Stripe accepted it ({request.StripeRefundId}, {request.StripeRefundStatus}). The order changes when Stripe confirms it.");

    private static AdminActionResult UnknownOutcome(string what) => AdminActionResult.Refused(
        $"{what}, so the refund may or may not have been made. The request is on the order's page, waiting for Stripe's answer: " +
        "send it again from there. Stripe is asked first whether it made it, so it makes at most one refund.");

    /// <summary>The timeline id of a request's answer: made from the request's, so an answer received twice is written once.</summary>
    private static Guid AnswerEntryId(Guid requestId) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"refund-answer:{requestId:N}")).AsSpan(0, 16));

    /// <summary>"4", "4.5", "4.50" in the currency's major units as minor units; null for anything else (or a fraction of a cent).</summary>
    internal static long? ParseAmount(string? text, string currency)
    {
        if (!decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major))
        {
            return null;
        }

        var minor = major * (decimal)Math.Pow(10, Money.DecimalPlaces(currency));
        return minor == decimal.Truncate(minor) && minor <= long.MaxValue ? (long)minor : null;
    }
}

public sealed record AdminActionResult(bool Succeeded, string Message)
{
    public static AdminActionResult Done(string message) => new(true, message);

    public static AdminActionResult Refused(string message) => new(false, message);
}
