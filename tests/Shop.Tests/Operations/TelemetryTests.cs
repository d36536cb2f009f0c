using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Shop.Tests.Operations;

/// <summary>The spans and metrics one payment leaves behind, read with OpenTelemetry's in-memory exporter.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly LockedList<Activity> _spans = [];
    private readonly LockedList<MetricSnapshot> _metrics = [];
    private readonly ShopApp _app;

    public TelemetryTests()
    {
        _app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Telemetry:Enabled"] = "true" }, testServices: services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
            services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
        });
    }

    [Fact]
    public async Task A_checkout_and_its_webhook_leave_linked_receive_commit_and_apply_spans()
    {
        var order = await _app.PlaceOrderAsync();
        var eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
        using var client = _app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, eventId: eventId));
        _app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = Snapshot();
        var receive = Assert.Single(spans, s => s.DisplayName == "stripe.webhook receive" && Tag(s, "stripe.event.id") == eventId);
        Assert.Equal("applied", Tag(receive, "shop.outcome"));
        Assert.Equal("payment_intent.succeeded", Tag(receive, "stripe.event.type"));
        var commit = Assert.Single(spans, s => s.DisplayName == "stripe.events commit" && s.Links.Any(l => l.Context.SpanId == receive.SpanId));
        var apply = Assert.Single(spans, s => s.DisplayName == "stripe.event apply" && Tag(s, "stripe.event.id") == eventId);
        Assert.Equal(commit.SpanId, apply.ParentSpanId);
        Assert.Equal(order.PublicId, Tag(apply, "shop.order.id"));
        Assert.Equal(order.PaymentIntentId, Tag(apply, "stripe.payment_intent.id"));
        // The framework's own spans: the webhook request, the call to Stripe at checkout, the database. The request's span
        // ends after its response is written, so the client can hold the response before that span is exported.
        await Poll.UntilAsync(Snapshot, all => all.Any(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("webhooks/stripe", StringComparison.Ordinal) && s.TraceId == receive.TraceId),
            all => $"no server span for the webhook request among {all.Count} spans");
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && Tag(s, "url.full")?.StartsWith(_stripe.Url, StringComparison.Ordinal) == true);
        Assert.Contains(spans, s => s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_checkout_and_its_webhook_count_in_the_shops_metrics_with_their_tags()
    {
        using var measurements = new ShopMeasurements(_app.Services);
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));
        var flushedFrom = DateTimeOffset.UtcNow;
        _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var flushedTo = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, measurements.Sum("shop.stripe.events", ("stripe.event.type", "payment_intent.succeeded"), ("shop.event.source", "webhook"), ("shop.outcome", "applied")));
        Assert.Equal(1, measurements.Sum("shop.checkouts", ("shop.outcome", "ready_to_pay")));
        Assert.Equal(1, measurements.Sum("shop.stripe.api.calls", ("shop.outcome", "success"), ("http.request.method", "POST")));
        Assert.Equal(1, measurements.Count("shop.stripe.event.ingest_lag", ("shop.event.source", "webhook")));
        Assert.Equal(1, measurements.Sum("shop.stripe.event.batch_size"));
        // The same instruments reach OpenTelemetry's exporter (other shops' "Shop" meters too, hence no exact count there).
        Assert.True(Sum("shop.stripe.events", ("stripe.event.type", "payment_intent.succeeded"), ("shop.outcome", "applied")) >= 1);
        // The receipt waits in the outbox: no SMTP server is configured here.
        Assert.Equal(1, LastLongGauge("shop.outbox.backlog"));
        await using var db = _app.OpenDatabase();
        var receiptDue = (await db.Outbox.SingleAsync(m => m.Status == OutboxStatus.Pending)).NextAttemptAt;
        Assert.InRange(LastDoubleGauge("shop.outbox.oldest_due_age"), (flushedFrom - receiptDue).TotalSeconds, (flushedTo - receiptDue).TotalSeconds);
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_no_telemetry_is_collected_or_exported()
    {
        using var app = new ShopApp(_stripe);
        var order = await app.PlaceOrderAsync();
        using var client = app.CreateClient();

        using var response = await StripeWebhooks.PostAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task With_an_otlp_endpoint_traces_and_metrics_are_exported_to_it()
    {
        using var collector = WireMockServer.Start();
        collector.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await app.PlaceOrderAsync();

        app.Services.GetRequiredService<TracerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var paths = collector.LogEntries.Select(e => e.RequestMessage.Path).ToList();
        Assert.Contains("/v1/traces", paths);
        Assert.Contains("/v1/metrics", paths);
    }

    private List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    private IEnumerable<MetricPoint> Points(string name, (string Key, string Value)[] tags)
    {
        List<MetricSnapshot> metrics;
        lock (_metrics)
        {
            metrics = [.. _metrics];
        }

        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.MetricPoints)
            {
                var pointTags = new Dictionary<string, string?>();
                foreach (var tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value?.ToString();
                }

                if (tags.All(t => pointTags.GetValueOrDefault(t.Key) == t.Value))
                {
                    yield return point;
                }
            }
        }
    }

    private long Sum(string name, params (string Key, string Value)[] tags) => Points(name, tags).Select(p => p.GetSumLong()).DefaultIfEmpty(0).Max();

    private long LastLongGauge(string name) => Points(name, []).Select(p => p.GetGaugeLastValueLong()).Last();

    private double LastDoubleGauge(string name) => Points(name, []).Select(p => p.GetGaugeLastValueDouble()).Last();

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
