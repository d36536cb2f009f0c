using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments;
using Stripe;

namespace Shop.Web.Admin;

/// <summary>
/// An admin's refund: asked of Stripe and written on the order's timeline. The order itself does not change here: it
/// changes when Stripe's charge.refunded event (or reconciliation) confirms the refund, like every other payment fact.
/// </summary>
public sealed class AdminRefunds(ShopDbContext db, StripeConnection stripe, AdminTimeline timeline, ILogger<AdminRefunds> logger)
{
    /// <param name="requestId">Made when the refund form was shown and sent back with it: the same form sent twice is one
    /// refund request, so Stripe gets the same idempotency key and makes one refund.</param>
    /// <param name="amount">In major units as the admin typed it ("4.00").</param>
    public async Task<AdminActionResult> RefundAsync(string publicId, Guid requestId, string? amount, string? note, string admin,
        CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().IgnoreAutoIncludes().SingleOrDefaultAsync(o => o.PublicId == publicId, cancellationToken);
        if (order is null)
        {
            return AdminActionResult.Refused("There is no such order.");
        }

        // A second click of the same form: Stripe already has this request, and the timeline already says so.
        if (await db.OrderTimeline.AnyAsync(e => e.Id == requestId, cancellationToken))
        {
            return AdminActionResult.Done("This refund was already requested; it is shown once Stripe confirms it.");
        }

        if (order.PaidMinorUnits <= 0 || order.PaymentIntentId is null)
        {
            return AdminActionResult.Refused($"Order {publicId} has no confirmed payment to refund (it is {order.Status}).");
        }

        var refundable = new Money(order.PaidMinorUnits - order.RefundedMinorUnits, order.Currency);
        if (ParseAmount(amount, order.Currency) is not { } minorUnits || minorUnits <= 0)
        {
            return AdminActionResult.Refused($"\"{amount}\" is not an amount to refund: write a number above zero in {order.Currency.ToUpperInvariant()}, like 4.00.");
        }

        var refund = new Money(minorUnits, order.Currency);
        if (minorUnits > refundable.MinorUnits)
        {
            return AdminActionResult.Refused($"{refund} is more than what remains refundable ({refundable}).");
        }

        if (stripe.Client is not { } client)
        {
            return AdminActionResult.Refused("Stripe is not configured, so nothing can be refunded.");
        }

        Refund created;
        try
        {
            created = await new RefundService(client).CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = order.PaymentIntentId,
                Amount = minorUnits,
                Reason = "requested_by_customer",
                Metadata = new Dictionary<string, string> { ["order_id"] = order.PublicId, ["refund_request"] = requestId.ToString("N") },
            }, new RequestOptions { IdempotencyKey = $"shop-{order.PublicId}-refund-{requestId:N}" }, cancellationToken);
        }
        catch (StripeException ex)
        {
            logger.LogWarning("Stripe refused a refund of order {OrderId}: {StripeError} (request {StripeRequestId})",
                order.PublicId, ex.StripeError?.Code ?? ex.StripeError?.Type, ex.StripeResponse?.RequestId);
            return AdminActionResult.Refused(StripeFailure.Describe("refund", ex));
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Stripe may have made the refund without its answer reaching us: the same request id (and key) again is safe.
            logger.LogWarning(ex, "Stripe did not answer a refund of order {OrderId}", order.PublicId);
            return AdminActionResult.Refused(
                "Stripe did not answer, so the refund may or may not have been made. Send the form again: it is the same request, so Stripe makes at most one refund.",
                retryRequestId: requestId);
        }

        var recorded = await timeline.RecordAsync(order.Id, requestId, "refund requested",
            $"{admin} asked Stripe to refund {refund} ({created.Id}, {created.Status})" + (string.IsNullOrWhiteSpace(note) ? "" : $": {note.Trim()}"),
            admin, cancellationToken);
        logger.LogInformation("Admin refund {RefundId} of order {OrderId} requested at Stripe", created.Id, order.PublicId);
        return recorded
            ? AdminActionResult.Done($"Stripe accepted the refund of {refund} ({created.Status}). The order changes when Stripe confirms it.")
            : AdminActionResult.Done("This refund was already requested; it is shown once Stripe confirms it.");
    }

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

/// <param name="RetryRequestId">When the outcome is unknown: the request id the next form must carry, so a retry is the same request.</param>
public sealed record AdminActionResult(bool Succeeded, string Message, Guid? RetryRequestId = null)
{
    public static AdminActionResult Done(string message) => new(true, message);

    public static AdminActionResult Refused(string message, Guid? retryRequestId = null) => new(false, message, retryRequestId);
}

/// <summary>Stripe's refusal in plain words, with the request id Stripe's support asks for.</summary>
public static class StripeFailure
{
    public static string Describe(string action, StripeException ex) =>
        $"Stripe refused the {action}: {ex.StripeError?.Message ?? ex.Message}" +
        (ex.StripeResponse?.RequestId is { } requestId ? $" (Stripe request {requestId})." : ".");
}
