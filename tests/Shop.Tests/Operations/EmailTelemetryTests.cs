using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Shop.Emulator.Inbox;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;

namespace Shop.Tests.Operations;

/// <summary>A receipt sent through a real SMTP server (the dev inbox): its span, its metric, and a healthy SMTP check.</summary>
public sealed class EmailTelemetryTests : IAsyncLifetime, IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly LockedList<Activity> _spans = [];
    private DevInbox _inbox = null!;
    private ShopApp _app = null!;

    public async Task InitializeAsync()
    {
        _inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0 });
        _app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Telemetry:Enabled"] = "true",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = _inbox.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:Timeout"] = "00:00:05",
        }, testServices: services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        });
    }

    [Fact]
    public async Task A_sent_receipt_leaves_an_email_send_span_and_counts_as_sent_and_smtp_is_healthy()
    {
        using var measurements = new ShopMeasurements(_app.Services);
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        using var paid = await StripeWebhooks.PostAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        await Poll.UntilAsync(async () =>
        {
            await using var db = _app.OpenDatabase();
            return await db.Outbox.Select(m => m.Status).ToListAsync();
        }, statuses => statuses is [OutboxStatus.Sent], statuses => string.Join(", ", statuses));
        _app.Services.GetRequiredService<TracerProvider>().ForceFlush();
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        List<Activity> spans;
        lock (_spans)
        {
            spans = [.. _spans];
        }

        var send = Assert.Single(spans, s => s.DisplayName == "email send" && s.GetTagItem("shop.order.id") as string == order.PublicId);
        Assert.Equal("receipt", send.GetTagItem("shop.email.kind"));
        Assert.Equal(1, measurements.Sum("shop.emails.sent", ("shop.email.kind", "receipt")));
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("smtp").GetProperty("status").GetString());
    }

    public async Task DisposeAsync() => await _inbox.DisposeAsync();

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
