using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Shop.Web.Common;

/// <summary>
/// The shop's own spans and metrics, under the name "Shop", and every name they use: one spelling each. Static, as .NET's
/// ActivitySource and Meter are meant to be: with nobody listening a span or measurement costs a null check.
/// The values of an event's source and outcome are Payments/Events/StripeEventNames'.
/// </summary>
public static class ShopTelemetry
{
    public const string Name = "Shop";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Tags: stripe.event.type, shop.event.source and shop.outcome (StripeEventNames).</summary>
    public static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>(
        "shop.stripe.events", "{event}", "Stripe events written, by type, source and outcome.");

    /// <summary>From Stripe's <c>created</c> to the commit that recorded the event. Tags: shop.event.source.</summary>
    public static readonly Histogram<double> IngestLag = Meter.CreateHistogram<double>(
        "shop.stripe.event.ingest_lag", "s", "Time from Stripe creating an event to the shop committing it.");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "shop.stripe.event.batch_size", "{event}", "Events committed together by the event writer.");

    /// <summary>Tags: shop.email.kind.</summary>
    public static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("shop.emails.sent", "{email}", "Emails the SMTP server accepted.");

    /// <summary>Tags: shop.email.kind, shop.outcome (retry, failed: given up).</summary>
    public static readonly Counter<long> EmailsFailed = Meter.CreateCounter<long>("shop.emails.failed", "{email}", "Emails the SMTP server did not accept.");

    /// <summary>Tags: shop.outcome (ready_to_pay, empty_cart, gateway_not_configured, gateway_failed).</summary>
    public static readonly Counter<long> Checkouts = Meter.CreateCounter<long>("shop.checkouts", "{checkout}", "Checkout attempts by outcome.");

    /// <summary>Tags: shop.outcome (success, client_error, rate_limited, server_error, network_error), http.request.method.</summary>
    public static readonly Counter<long> StripeApiCalls = Meter.CreateCounter<long>("shop.stripe.api.calls", "{call}", "HTTP requests to Stripe's API by outcome.");

    public const string WebhookReceiveSpan = "stripe.webhook receive";
    public const string BatchCommitSpan = "stripe.events commit";
    public const string EventApplySpan = "stripe.event apply";
    public const string EmailSendSpan = "email send";

    public const string EventTypeTag = "stripe.event.type";
    public const string EventIdTag = "stripe.event.id";
    public const string SourceTag = "shop.event.source";
    public const string OutcomeTag = "shop.outcome";
    public const string OrderIdTag = "shop.order.id";
    public const string PaymentIntentTag = "stripe.payment_intent.id";
    public const string EmailKindTag = "shop.email.kind";
    public const string OutboxIdTag = "shop.outbox.id";
    public const string BatchSizeTag = "shop.batch.size";
}
