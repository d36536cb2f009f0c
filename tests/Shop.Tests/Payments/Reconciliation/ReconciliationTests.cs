using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Reconciliation;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Payments.Reconciliation;

public sealed class ReconciliationTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    // Due at once, and no background passes racing the test: each test runs one pass itself.
    public ReconciliationTests() => _app = new ShopApp(_stripe, new Dictionary<string, string?>
    {
        ["Reconciliation:Enabled"] = "false",
        ["Reconciliation:After"] = "00:00:00",
        ["Reconciliation:MaxRequestsPerSecond"] = "100",
    });

    [Fact]
    public async Task An_order_whose_webhook_never_came_is_paid_from_the_api_and_marked_reconciled()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount);

        var asked = await RunPassAsync();

        Assert.Equal(1, asked);
        await using var db = _app.OpenDatabase();
        var paid = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Paid, paid.Status);
        Assert.NotNull(paid.LastReconciledAt);
        var record = await db.StripeEvents.SingleAsync();
        Assert.Equal(StripeEventSource.Reconciliation, record.Source);
        Assert.Equal("reconciliation", (await db.OrderTimeline.SingleAsync()).Source);
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
    }

    [Fact]
    public async Task The_late_webhook_after_reconciliation_changes_nothing_more()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount);
        await RunPassAsync();
        using var client = _app.CreateClient();

        await StripeWebhooks.SendAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
        Assert.Equal(StripeEventOutcome.Stale, (await db.StripeEvents.SingleAsync(e => e.Source == StripeEventSource.Webhook)).Outcome);
        Assert.Equal(1, await db.Outbox.CountAsync());
    }

    [Fact]
    public async Task A_decline_found_by_reconciliation_marks_the_order_failed()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "requires_payment_method", order.Amount, declineCode: "generic_decline");

        await RunPassAsync();

        await using var db = _app.OpenDatabase();
        var failed = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.PaymentFailed, failed.Status);
        Assert.Equal("generic_decline", failed.PaymentFailureCode);
    }

    [Fact]
    public async Task An_unpaid_intent_is_left_alone_and_not_asked_about_again_until_due()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "requires_payment_method", order.Amount);

        await RunPassAsync();

        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.AwaitingPayment, (await db.Orders.SingleAsync()).Status);
        Assert.Empty(db.Outbox);
        Assert.Equal(1, _stripe.RetrievesOf(order.PaymentIntentId));
    }

    [Fact]
    public async Task Paid_orders_are_not_asked_about()
    {
        var order = await _app.PlaceOrderAsync();
        using var client = _app.CreateClient();
        await StripeWebhooks.SendAsync(client, StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        var asked = await RunPassAsync();

        Assert.Equal(0, asked);
        Assert.Equal(0, _stripe.RetrievesOf(order.PaymentIntentId));
    }

    [Fact]
    public async Task A_refund_made_while_no_webhook_came_is_found_and_applied()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount, refunded: order.Amount);

        await RunPassAsync();

        await using var db = _app.OpenDatabase();
        var refunded = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Refunded, refunded.Status);
        Assert.Equal(order.Amount, refunded.RefundedMinorUnits);
        // Already refunded when its payment became known: a refund notice, never a receipt.
        Assert.Equal([CustomerEmailKind.Refund], await db.Outbox.Select(m => m.Kind).ToListAsync());
    }

    [Fact]
    public async Task A_dispute_opened_while_no_webhook_came_is_found_and_applied()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount, disputeStatus: "needs_response");

        await RunPassAsync();

        await using var db = _app.OpenDatabase();
        var disputed = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Disputed, disputed.Status);
        Assert.NotNull(disputed.DisputeEvidenceDueBy);
    }

    [Fact]
    public async Task Two_passes_finding_the_same_state_record_it_once()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount);
        var reconciler = _app.Services.GetRequiredService<PaymentReconciler>();
        await using (var db = _app.OpenDatabase())
        {
            var placed = await db.Orders.SingleAsync();

            await reconciler.ReconcileAsync(placed, CancellationToken.None);
            await reconciler.ReconcileAsync(placed, CancellationToken.None);
        }

        await using var check = _app.OpenDatabase();
        Assert.Equal(1, await check.StripeEvents.CountAsync());
        Assert.Equal(1, await check.Outbox.CountAsync());
    }

    [Fact]
    public async Task A_new_order_is_asked_about_within_a_bounded_number_of_passes_however_long_old_orders_have_waited()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Reconciliation:After"] = "00:00:00",
            ["Reconciliation:MaxRequestsPerSecond"] = "100",
            ["Reconciliation:BatchSize"] = "2",
        });
        var reconciler = app.Services.GetRequiredService<PaymentReconciler>();
        for (var i = 0; i < 5; i++)
        {
            await app.PlaceOrderAsync();
        }

        // Every old order asked about once; abandoned, they never change and stay due.
        for (var pass = 0; pass < 3; pass++)
        {
            await reconciler.ReconcileDueOrdersAsync(CancellationToken.None);
        }

        var fresh = await app.PlaceOrderAsync();
        var retrievedAtCheckout = _stripe.RetrievesOf(fresh.PaymentIntentId);

        // Six open orders, two a pass: three passes reach every one.
        for (var pass = 0; pass < 3; pass++)
        {
            await reconciler.ReconcileDueOrdersAsync(CancellationToken.None);
        }

        Assert.Equal(1, _stripe.RetrievesOf(fresh.PaymentIntentId) - retrievedAtCheckout);
    }

    [Theory]
    [InlineData(System.Net.HttpStatusCode.Unauthorized)]
    [InlineData(System.Net.HttpStatusCode.Forbidden)]
    public async Task A_key_stripe_rejects_stops_the_pass_and_leaves_every_order_unchecked(System.Net.HttpStatusCode status)
    {
        await _app.PlaceOrderAsync();
        await _app.PlaceOrderAsync();
        _stripe.RejectKey(status);

        var asked = await RunPassAsync();

        Assert.Equal(0, asked);
        Assert.Equal(1, _stripe.Requests.Count(r => r.RequestMessage.Method == "GET"));
        await using var db = _app.OpenDatabase();
        Assert.All(await db.Orders.ToListAsync(), o => Assert.Null(o.LastReconciledAt));
    }

    private Task<int> RunPassAsync() =>
        _app.Services.GetRequiredService<PaymentReconciler>().ReconcileDueOrdersAsync(CancellationToken.None);

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
