using System.Net;
using Stripe;

namespace Shop.Web.Payments;

/// <summary>A refund the shop asks Stripe for: its own request id travels in the refund's metadata so it can be found again.</summary>
public sealed record RefundOrder(string OrderPublicId, Guid RequestId, string PaymentIntentId, long AmountMinorUnits, string IdempotencyKey);

public enum RefundOutcome
{
    /// <summary>Stripe made the refund (now, or earlier and found again).</summary>
    Made,

    /// <summary>Stripe refused it: its answer about the request itself.</summary>
    Refused,

    /// <summary>No answer (a timeout, a 5xx, a 409 or 429): the refund may or may not exist.</summary>
    Unknown,
}

/// <param name="Details">Stripe's message and request id when it refused or failed; null when it made the refund.</param>
public sealed record RefundAnswer(RefundOutcome Outcome, string? RefundId = null, string? RefundStatus = null, string? Details = null, HttpStatusCode? HttpStatus = null);

/// <summary>Stripe's refunds API, for the admin's refunds: every Stripe.net call about refunds lives here.</summary>
public sealed class RefundGateway(StripeConnection stripe, ILogger<RefundGateway> logger)
{
    public const string RequestMetadataKey = "refund_request";

    public bool IsConfigured => stripe.Client is not null;

    /// <summary>
    /// Asks Stripe for the refund. A request that may have been sent before (its answer lost) is first looked for among the
    /// PaymentIntent's refunds by its id in their metadata, and made only when none carries it: Stripe keeps idempotency
    /// keys for about 24 hours, so the key alone cannot stop a second refund sent next week.
    /// </summary>
    public async Task<RefundAnswer> RefundAsync(RefundOrder order, bool mayHaveBeenSent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (stripe.Client is not { } client)
        {
            throw new InvalidOperationException("Stripe is not configured.");
        }

        var service = new RefundService(client);
        try
        {
            if (mayHaveBeenSent && await FindAsync(service, order, cancellationToken) is { } earlier)
            {
                logger.LogInformation("Refund request {RefundRequestId} of order {OrderId} was already made at Stripe: {RefundId}",
                    order.RequestId, order.OrderPublicId, earlier.Id);
                return new RefundAnswer(RefundOutcome.Made, earlier.Id, earlier.Status);
            }

            // Exactly the parameters of the first sending: Stripe binds an idempotency key to them.
            var created = await service.CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = order.PaymentIntentId,
                Amount = order.AmountMinorUnits,
                Reason = "requested_by_customer",
                Metadata = new Dictionary<string, string> { ["order_id"] = order.OrderPublicId, [RequestMetadataKey] = order.RequestId.ToString("N") },
            }, new RequestOptions { IdempotencyKey = order.IdempotencyKey }, cancellationToken);
            return new RefundAnswer(RefundOutcome.Made, created.Id, created.Status);
        }
        catch (StripeException ex) when (IsStripesAnswer(ex))
        {
            logger.LogWarning("Stripe refused a refund of order {OrderId}: {StripeError} (request {StripeRequestId})",
                order.OrderPublicId, ex.StripeError?.Code ?? ex.StripeError?.Type, ex.StripeResponse?.RequestId);
            return new RefundAnswer(RefundOutcome.Refused, Details: StripeFailure.Details(ex), HttpStatus: ex.HttpStatusCode);
        }
        catch (StripeException ex)
        {
            logger.LogWarning("Stripe did not complete a refund of order {OrderId}: HTTP {StatusCode} (request {StripeRequestId})",
                order.OrderPublicId, (int)ex.HttpStatusCode, ex.StripeResponse?.RequestId);
            return new RefundAnswer(RefundOutcome.Unknown, Details: StripeFailure.Details(ex), HttpStatus: ex.HttpStatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning(ex, "Stripe did not answer a refund of order {OrderId}", order.OrderPublicId);
            return new RefundAnswer(RefundOutcome.Unknown);
        }
    }

    private static async Task<Refund?> FindAsync(RefundService service, RefundOrder order, CancellationToken cancellationToken)
    {
        var requestId = order.RequestId.ToString("N");
        await foreach (var refund in service.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = order.PaymentIntentId, Limit = 100 }, cancellationToken: cancellationToken))
        {
            if (refund.Metadata?.TryGetValue(RequestMetadataKey, out var id) == true && id == requestId)
            {
                return refund;
            }
        }

        return null;
    }

    /// <summary>
    /// A refusal Stripe decided on (a 4xx about the request itself) is its answer. A conflict (the same key still being
    /// worked on), a rate limit or a server error is not: the refund may or may not exist, and sending again will tell.
    /// </summary>
    private static bool IsStripesAnswer(StripeException ex) =>
        ex.HttpStatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests) && (int)ex.HttpStatusCode is >= 400 and < 500;
}
