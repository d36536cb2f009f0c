using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Reconciliation;
using Shop.Web.Payments.Webhooks;

namespace Shop.Tests.Webhooks;

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
        Assert.Equal("payment_intent.succeeded", record.Type);
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
        Assert.Equal(StripeEventOutcome.Refused, (await db.StripeEvents.SingleAsync(e => e.Source == StripeEventSource.Webhook)).Outcome);
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
        Assert.Empty(db.StripeEvents);
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

    private Task<int> RunPassAsync() =>
        _app.Services.GetRequiredService<PaymentReconciler>().ReconcileDueOrdersAsync(CancellationToken.None);

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
