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

    /// <summary>Stripe holds this Idempotency-Key with other parameters; a new attempt needs a new key.</summary>
    IdempotencyConflict,

    /// <summary>The PaymentIntent's status no longer allows the call (for example an update once the payment has started).</summary>
    UnexpectedState,
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
    private readonly bool _stripeSendsReceipts;

    public PaymentGateway(StripeConnection stripe, IOptions<StripeOptions> options, ILogger<PaymentGateway> logger)
    {
        _logger = logger;
        _stripeSendsReceipts = options.Value.SendReceiptEmails;
        _paymentIntents = stripe.Client is { } client ? new PaymentIntentService(client) : null;
    }

    public bool IsConfigured => _paymentIntents is not null;

    /// <summary>What a creation sends for this order, and so what its idempotency key covers.</summary>
    /// <param name="stripeSendsReceipts">Stripe:SendReceiptEmails: with receipt_email set, Stripe emails its own receipts in live mode.</param>
    public static PaymentIntentCreateOptions CreationParameters(Order order, bool stripeSendsReceipts = false) => new()
    {
        Amount = order.TotalMinorUnits,
        Currency = order.Currency,
        AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
        Metadata = new Dictionary<string, string> { ["order_id"] = order.PublicId },
        ReceiptEmail = stripeSendsReceipts ? order.CustomerEmail : null,
        Description = $"Shop order {order.PublicId}",
        Shipping = Shipping(order),
    };

    /// <summary>Where the order goes, so Stripe Radar can weigh it against the card's country and billing address.</summary>
    private static ChargeShippingOptions Shipping(Order order) => new()
    {
        Name = order.CustomerName,
        Address = new AddressOptions
        {
            Line1 = order.ShippingAddress.Line1,
            Line2 = order.ShippingAddress.Line2,
            City = order.ShippingAddress.City,
            PostalCode = order.ShippingAddress.PostalCode,
            Country = order.ShippingAddress.Country,
        },
    };

    public Task<GatewayResult> CreatePaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        var create = CreationParameters(order, _stripeSendsReceipts);
        var request = new RequestOptions { IdempotencyKey = IdempotencyKeys.PaymentIntentCreation(order, create) };
        return CallAsync("create PaymentIntent", order, service => service.CreateAsync(create, request, cancellationToken), cancellationToken);
    }

    /// <summary>Sends the order's amount (and email, when Stripe sends receipts) to its PaymentIntent. Stripe refuses (unexpected state) once the payment has started.</summary>
    public Task<GatewayResult> UpdatePaymentIntentAsync(Order order, int revision, CancellationToken cancellationToken)
    {
        var paymentIntentId = order.PaymentIntentId ?? throw new InvalidOperationException($"Order {order.PublicId} has no PaymentIntent.");
        var update = new PaymentIntentUpdateOptions
        {
            Amount = order.TotalMinorUnits,
            ReceiptEmail = _stripeSendsReceipts ? order.CustomerEmail : null,
            Shipping = Shipping(order), // a revised address reaches Radar too
        };
        var request = new RequestOptions { IdempotencyKey = IdempotencyKeys.PaymentIntentUpdate(order, paymentIntentId, revision, update) };
        return CallAsync("update PaymentIntent", order, service => service.UpdateAsync(paymentIntentId, update, request, cancellationToken), cancellationToken);
    }

    /// <summary>Cancels the order's PaymentIntent so it can never be paid; only for one the customer has not yet paid.</summary>
    public Task<GatewayResult> CancelPaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        var paymentIntentId = order.PaymentIntentId ?? throw new InvalidOperationException($"Order {order.PublicId} has no PaymentIntent.");
        var cancel = new PaymentIntentCancelOptions { CancellationReason = "abandoned" };
        var request = new RequestOptions { IdempotencyKey = IdempotencyKeys.PaymentIntentCancellation(order, paymentIntentId, cancel) };
        return CallAsync("cancel PaymentIntent", order, service => service.CancelAsync(paymentIntentId, cancel, request, cancellationToken), cancellationToken);
    }

    /// <summary>Reads the PaymentIntent's current status: checkout asks before changing an order whose payment may have started.</summary>
    public Task<GatewayResult> RetrievePaymentIntentAsync(Order order, CancellationToken cancellationToken) =>
        CallAsync("retrieve PaymentIntent", order, service => service.GetAsync(order.PaymentIntentId, cancellationToken: cancellationToken), cancellationToken);

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
            return GatewayResult.Failed(s_unavailable);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Stripe {Operation} for order {OrderId} timed out", operation, order.PublicId);
            return GatewayResult.Failed(s_unavailable);
        }
    }

    private static readonly GatewayFailure s_unavailable = new(GatewayFailureKind.Unavailable,
        "We could not reach our payment provider. Your order is saved; please try again in a moment.");

    private const string Retriable =
        "The payment could not be set up. Your order is saved; please try again, and contact us if it keeps happening.";

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
            // A 409 idempotency_error is the same request still running at Stripe: not a conflict of parameters.
            HttpStatusCode.BadRequest when error?.Type == "idempotency_error" => new GatewayFailure(GatewayFailureKind.IdempotencyConflict, Retriable),
            _ when error?.Code == "payment_intent_unexpected_state" => new GatewayFailure(GatewayFailureKind.UnexpectedState,
                "Your payment for this order is already under way, so the order can no longer change. Please check your cart."),
            HttpStatusCode.TooManyRequests => new GatewayFailure(GatewayFailureKind.RateLimited,
                "Our payment provider is busy right now. Your order is saved; please try again in a moment."),
            >= HttpStatusCode.InternalServerError or 0 => s_unavailable,
            _ => new GatewayFailure(GatewayFailureKind.Rejected, Retriable),
        };
    }
}
