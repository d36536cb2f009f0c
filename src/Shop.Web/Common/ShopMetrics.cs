using System.Diagnostics.Metrics;

namespace Shop.Web.Common;

/// <summary>
/// The shop's counters and histograms, on a "Shop" meter from the host's IMeterFactory rather than a static one: each host
/// counts its own (tests run several side by side and read exact counts) and its meter ends with it. With nobody listening
/// a measurement costs a null check. Tag names are <see cref="ShopTelemetry"/>'s.
/// </summary>
public sealed class ShopMetrics
{
    public ShopMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ShopTelemetry.Name);
        EventsReceived = meter.CreateCounter<long>("shop.stripe.events", "{event}", "Stripe events written, by type, source and outcome.");
        IngestLag = meter.CreateHistogram<double>("shop.stripe.event.ingest_lag", "s", "Time from Stripe creating an event to the shop committing it.");
        BatchSize = meter.CreateHistogram<int>("shop.stripe.event.batch_size", "{event}", "Events committed together by the event writer.");
        EmailsSent = meter.CreateCounter<long>("shop.emails.sent", "{email}", "Emails the SMTP server accepted.");
        EmailsFailed = meter.CreateCounter<long>("shop.emails.failed", "{email}", "Emails the SMTP server did not accept.");
        Checkouts = meter.CreateCounter<long>("shop.checkouts", "{checkout}", "Checkout attempts by outcome.");
        StripeApiCalls = meter.CreateCounter<long>("shop.stripe.api.calls", "{call}", "HTTP requests to Stripe's API by outcome.");
    }

    /// <summary>Tags: stripe.event.type, shop.event.source and shop.outcome (StripeEventNames).</summary>
    public Counter<long> EventsReceived { get; }

    /// <summary>From Stripe's <c>created</c> to the commit that recorded the event. Tags: shop.event.source.</summary>
    public Histogram<double> IngestLag { get; }

    public Histogram<int> BatchSize { get; }

    /// <summary>Tags: shop.email.kind.</summary>
    public Counter<long> EmailsSent { get; }

    /// <summary>Tags: shop.email.kind, shop.outcome (retry, failed: given up).</summary>
    public Counter<long> EmailsFailed { get; }

    /// <summary>Tags: shop.outcome (ready_to_pay, empty_cart, gateway_not_configured, gateway_failed).</summary>
    public Counter<long> Checkouts { get; }

    /// <summary>Tags: shop.outcome (success, client_error, rate_limited, server_error, network_error), http.request.method.</summary>
    public Counter<long> StripeApiCalls { get; }
}
