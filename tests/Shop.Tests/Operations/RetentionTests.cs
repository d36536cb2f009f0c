using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.BackgroundWork;
using Shop.Web.Email;
using Shop.Web.Operations;
using Shop.Web.Orders;

namespace Shop.Tests.Operations;

/// <summary>The retention job deletes only what is old, and never orders, their timelines or a young event id.</summary>
public sealed class RetentionTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly DatabaseFault _fault = new();
    private readonly ShopApp _app;
    private readonly HttpClient _client;

    public RetentionTests()
    {
        _app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Retention:Interval"] = "01:00:00",
            ["Retention:EventsAfter"] = "35.00:00:00",
            ["Retention:SentEmailsAfter"] = "30.00:00:00",
            ["Retention:AbandonedCartsAfter"] = "30.00:00:00",
            // Not a test of Stripe timeouts: a slow stub on a loaded machine must not fail the checkouts this test needs.
            ["Stripe:RequestTimeout"] = "00:00:30",
        }, testServices: services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            _fault.AddTo(services);
        });
        _client = _app.CreateClient();
    }

    [Fact]
    public async Task Retention_deletes_old_events_sent_emails_and_carts_and_keeps_orders_timelines_and_recent_rows()
    {
        var old = await PayAndSendReceiptAsync();
        _clock.Advance(TimeSpan.FromDays(36));
        var recent = await PayAndSendReceiptAsync();
        var health = _app.Services.GetRequiredService<WorkerHealth>();
        var passes = (await Poll.UntilAsync(() => health.Find(RetentionJob.WorkerName), w => w is not null, w => $"{w}"))!.CompletedPasses;
        var timelineBefore = await TimelineCountAsync();

        _clock.Advance(TimeSpan.FromHours(1));
        await Poll.UntilAsync(() => health.Find(RetentionJob.WorkerName)!, w => w.CompletedPasses > passes, w => w.ToString());

        await using var db = _app.OpenDatabase();
        var events = await db.StripeEvents.Select(e => e.PaymentIntentId).ToListAsync();
        Assert.Equal([recent.PaymentIntentId], events);
        var emails = await db.Outbox.Select(m => m.OrderId).ToListAsync();
        Assert.Equal([await OrderIdAsync(db, recent)], emails);
        Assert.Equal(1, await db.Carts.CountAsync());
        var orders = await db.Orders.OrderBy(o => o.Id).Select(o => new { o.PublicId, o.Status }).ToListAsync();
        Assert.Equal([(old.PublicId, OrderStatus.Paid), (recent.PublicId, OrderStatus.Paid)], orders.Select(o => (o.PublicId, o.Status)));
        Assert.NotEqual(0, timelineBefore);
        Assert.Equal(timelineBefore, await TimelineCountAsync());
    }

    [Fact]
    public async Task A_failing_purge_leaves_the_shop_serving_and_the_pass_after_the_backoff_deletes_what_is_old()
    {
        var health = _app.Services.GetRequiredService<WorkerHealth>();
        // The first pass runs at start; the fault must meet the pass that finds something old, not that one.
        await Poll.UntilAsync(() => health.Find(RetentionJob.WorkerName), w => w is { CompletedPasses: >= 1 }, w => $"{w}");
        var old = await PayAndSendReceiptAsync();
        _fault.Arm(sql => sql.TrimStart().StartsWith("DELETE", StringComparison.Ordinal) && sql.Contains("\"StripeEvents\"", StringComparison.Ordinal),
            () => new TimeoutException("injected: the purge times out"));

        _clock.Advance(TimeSpan.FromDays(36));
        var failing = await Poll.UntilAsync(() => health.Find(RetentionJob.WorkerName)!, w => w.ConsecutiveFailures >= 1, w => w.ToString());
        await ServingProbe.AssertServingAsync(_app, _client, _clock.GetUtcNow());
        await using (var during = _app.OpenDatabase())
        {
            Assert.Equal(1, await during.StripeEvents.CountAsync(e => e.PaymentIntentId == old.PaymentIntentId));
        }

        _fault.Clear();
        _clock.Advance(failing.RetryAt!.Value - _clock.GetUtcNow());
        await Poll.UntilAsync(() => health.Find(RetentionJob.WorkerName)!, w => w.ConsecutiveFailures == 0, w => w.ToString());

        Assert.Contains("injected", failing.LastError, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        Assert.Equal(0, await db.StripeEvents.CountAsync(e => e.PaymentIntentId == old.PaymentIntentId));
        Assert.Equal(0, await db.Outbox.CountAsync());
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync(o => o.PublicId == old.PublicId)).Status);
    }

    [Fact]
    public void Retention_of_event_ids_below_35_days_is_refused_at_start_up()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Retention:EventsAfter"] = "34.00:00:00" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Retention:EventsAfter must be between 35.00:00:00", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An order paid by webhook now, whose receipt the outbox has sent now.</summary>
    private async Task<PlacedOrder> PayAndSendReceiptAsync()
    {
        var order = await _app.PlaceOrderAsync();
        var body = System.Text.Encoding.UTF8.GetBytes(StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));
        using var response = await StripeWebhooks.PostAsync(_client, body, StripeWebhooks.Signature(body, at: _clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = _app.OpenDatabase();
        var orderId = await OrderIdAsync(db, order);
        var now = _clock.GetUtcNow();
        Assert.Equal(1, await db.Outbox.Where(m => m.OrderId == orderId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, now)));
        return order;
    }

    private async Task<int> TimelineCountAsync()
    {
        await using var db = _app.OpenDatabase();
        return await db.Set<OrderTimelineEntry>().CountAsync();
    }

    private static Task<long> OrderIdAsync(Shop.Web.Data.ShopDbContext db, PlacedOrder order) =>
        db.Orders.Where(o => o.PublicId == order.PublicId).Select(o => o.Id).SingleAsync();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _stripe.Dispose();
    }
}
