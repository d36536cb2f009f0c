using System.Net;
using Microsoft.Extensions.Options;
using Shop.Web.Orders;
using Stripe;

namespace Shop.Web.Payments;

/// <summary>What the shop needs of a PaymentIntent; the client secret is for the payment page only and is never logged.</summary>
public sealed record PaymentIntentSummary(
    string Id, string ClientSecret, long Amount, string Currency, string Status, string? FailureMessage = null, string? FailureCode = null)
{
    public static PaymentIntentSummary From(PaymentIntent intent) => new(
        intent.Id, intent.ClientSecret, intent.Amount, intent.Currency, intent.Status,
        intent.LastPaymentError?.Message, intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code);
}

public enum GatewayFailureKind
{
    NotConfigured,
    CardError,
    RateLimited,
    Unavailable,
    Rejected,
}

public sealed record GatewayFailure(GatewayFailureKind Kind, string CustomerMessage);

/// <summary>Either the PaymentIntent Stripe answered with, or why there is none.</summary>
public sealed record GatewayResult(PaymentIntentSummary? PaymentIntent, GatewayFailure? Failure)
{
    public static GatewayResult Ok(PaymentIntentSummary paymentIntent) => new(paymentIntent, null);

    public static GatewayResult Failed(GatewayFailure failure) => new(null, failure);
}

/// <summary>
/// The shop's calls to Stripe's API (the shop pulls; outcomes arrive by webhook). Every call that creates or changes
/// something carries an Idempotency-Key derived from the order, so a double submit or a retry never makes a second one.
/// </summary>
public sealed class PaymentGateway
{
    private readonly PaymentIntentService? _paymentIntents;
    private readonly ILogger<PaymentGateway> _logger;

    public PaymentGateway(StripeConnection stripe, ILogger<PaymentGateway> logger)
    {
        _logger = logger;
        _paymentIntents = stripe.Client is { } client ? new PaymentIntentService(client) : null;
    }

    public bool IsConfigured => _paymentIntents is not null;

    public Task<GatewayResult> CreatePaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        var create = new PaymentIntentCreateOptions
        {
            Amount = order.TotalMinorUnits,
            Currency = order.Currency,
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
            Metadata = new Dictionary<string, string> { ["order_id"] = order.PublicId },
            ReceiptEmail = order.CustomerEmail,
            Description = $"Shop order {order.PublicId}",
        };
        var request = new RequestOptions { IdempotencyKey = IdempotencyKeys.PaymentIntentCreation(order) };
        return CallAsync("create PaymentIntent", order, service => service.CreateAsync(create, request, cancellationToken), cancellationToken);
    }

    public Task<GatewayResult> UpdatePaymentIntentAmountAsync(Order order, int revision, CancellationToken cancellationToken)
    {
        var update = new PaymentIntentUpdateOptions { Amount = order.TotalMinorUnits, ReceiptEmail = order.CustomerEmail };
        var request = new RequestOptions { IdempotencyKey = IdempotencyKeys.PaymentIntentUpdate(order, revision) };
        return CallAsync("update PaymentIntent", order, service => service.UpdateAsync(order.PaymentIntentId, update, request, cancellationToken), cancellationToken);
    }

    private async Task<GatewayResult> CallAsync(
        string operation, Order order, Func<PaymentIntentService, Task<PaymentIntent>> call, CancellationToken cancellationToken)
    {
        if (_paymentIntents is null)
        {
            return GatewayResult.Failed(new GatewayFailure(GatewayFailureKind.NotConfigured,
                "No payment gateway is configured, so this order cannot be paid yet."));
        }

        try
        {
            var intent = await call(_paymentIntents);
            return GatewayResult.Ok(PaymentIntentSummary.From(intent));
        }
        catch (StripeException ex)
        {
            return GatewayResult.Failed(Describe(operation, order, ex));
        }
        catch (HttpRequestException ex)
        {
            _logger.LogWarning(ex, "Stripe {Operation} for order {OrderId} failed: could not connect", operation, order.PublicId);
            return GatewayResult.Failed(Unavailable);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Stripe {Operation} for order {OrderId} timed out", operation, order.PublicId);
            return GatewayResult.Failed(Unavailable);
        }
    }

    private static readonly GatewayFailure Unavailable = new(GatewayFailureKind.Unavailable,
        "We could not reach our payment provider. Your order is saved; please try again in a moment.");

    private GatewayFailure Describe(string operation, Order order, StripeException ex)
    {
        var error = ex.StripeError;
        _logger.LogWarning(
            "Stripe {Operation} for order {OrderId} failed: HTTP {StatusCode}, {ErrorType}/{ErrorCode}, request {RequestId}: {Message}",
            operation, order.PublicId, (int)ex.HttpStatusCode, error?.Type, error?.Code, ex.StripeResponse?.RequestId, error?.Message ?? ex.Message);

        return ex.HttpStatusCode switch
        {
            // Stripe writes card error messages for customers ("Your card was declined.").
            _ when error?.Type == "card_error" => new GatewayFailure(GatewayFailureKind.CardError, error.Message ?? "Your card was declined."),
            HttpStatusCode.TooManyRequests => new GatewayFailure(GatewayFailureKind.RateLimited,
                "Our payment provider is busy right now. Your order is saved; please try again in a moment."),
            >= HttpStatusCode.InternalServerError or 0 => Unavailable,
            _ => new GatewayFailure(GatewayFailureKind.Rejected,
                "The payment could not be set up. Your order is saved; please try again, and contact us if it keeps happening."),
        };
    }
}
