// Over 300 lines on purpose: one test per Stripe event and status the webhook maps onto an order, in one place.
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Payments.Webhooks;

public sealed class WebhookOrderTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;
    private readonly HttpClient _client;

    public WebhookOrderTests()
    {
        _app = new ShopApp(_stripe);
        _client = _app.CreateClient();
    }

    [Fact]
    public async Task The_same_event_ten_times_at_once_is_applied_once()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, eventId: "evt_duplicate_storm");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => StripeWebhooks.SendAsync(_client, json)));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
        Assert.Equal(1, await db.StripeEvents.CountAsync(e => e.EventId == "evt_duplicate_storm"));
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
    }

    [Fact]
    public async Task A_failure_that_arrives_after_the_success_leaves_the_order_paid()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("payment_intent.succeeded", order);
        await Send("payment_intent.payment_failed", order);

        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
        var refused = await db.StripeEvents.SingleAsync(e => e.Type == "payment_intent.payment_failed");
        Assert.Equal(StripeEventOutcome.Stale, refused.Outcome);
        Assert.Equal(0, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.PaymentFailed));
    }

    [Fact]
    public async Task A_declined_customer_can_pay_again_and_reach_paid()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("payment_intent.payment_failed", order);
        await using (var db = _app.OpenDatabase())
        {
            var failed = await db.Orders.SingleAsync();
            Assert.Equal(OrderStatus.PaymentFailed, failed.Status);
            Assert.Equal("Your card has insufficient funds.", failed.PaymentFailureMessage);
            Assert.Equal("insufficient_funds", failed.PaymentFailureCode);
        }

        await Send("payment_intent.succeeded", order);

        await using (var db = _app.OpenDatabase())
        {
            Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
            Assert.Equal([CustomerEmailKind.PaymentFailed, CustomerEmailKind.Receipt],
                await db.Outbox.OrderBy(m => m.CreatedAt).Select(m => m.Kind).ToListAsync());
        }
    }

    [Fact]
    public async Task Processing_then_success_reaches_paid()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("payment_intent.processing", order);
        var processing = await StatusAsync();
        await Send("payment_intent.succeeded", order);

        Assert.Equal(OrderStatus.Processing, processing);
        Assert.Equal(OrderStatus.Paid, await StatusAsync());
    }

    [Fact]
    public async Task Cancellation_of_an_unpaid_order_cancels_it_but_not_a_paid_one()
    {
        var unpaid = await _app.PlaceOrderAsync();
        var paid = await _app.PlaceOrderAsync("brass-pen");
        await Send("payment_intent.succeeded", paid);

        await Send("payment_intent.canceled", unpaid);
        await Send("payment_intent.canceled", paid);

        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Canceled, (await db.Orders.SingleAsync(o => o.PublicId == unpaid.PublicId)).Status);
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync(o => o.PublicId == paid.PublicId)).Status);
    }

    [Fact]
    public async Task Partial_then_full_refunds_record_the_amounts_even_out_of_order()
    {
        var order = await _app.PlaceOrderAsync("canvas-tote", 2);
        await Send("payment_intent.succeeded", order);

        await Send("charge.refunded", order, refunded: 1000);
        var partial = await StatusAsync();
        await Send("charge.refunded", order, refunded: order.Amount);
        // Stripe's redelivery of the first refund's event, which it created a minute before the second.
        await Send("charge.refunded", order, refunded: 1000, createdAgo: TimeSpan.FromMinutes(1));

        await using var db = _app.OpenDatabase();
        var refunded = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.PartiallyRefunded, partial);
        Assert.Equal(OrderStatus.Refunded, refunded.Status);
        Assert.Equal(order.Amount, refunded.RefundedMinorUnits);
        Assert.Equal(2, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Refund));
    }

    [Fact]
    public async Task A_full_refund_delivered_before_the_success_ends_refunded_with_no_receipt()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("charge.refunded", order, refunded: order.Amount);
        await Send("payment_intent.succeeded", order);

        await using var db = _app.OpenDatabase();
        var refunded = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Refunded, refunded.Status);
        Assert.Equal(order.Amount, refunded.RefundedMinorUnits);
        Assert.Equal([CustomerEmailKind.Refund], await db.Outbox.Select(m => m.Kind).ToListAsync());
    }

    [Fact]
    public async Task A_dispute_delivered_before_the_success_ends_disputed_and_tells_the_operators()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:OperatorsEmail"] = "payments@shop.example.com" });
        using var client = app.CreateClient();
        var order = await app.PlaceOrderAsync();
        async Task SendTo(string fixture) => Assert.Equal(HttpStatusCode.OK,
            await StripeWebhooks.SendAsync(client, StripeWebhooks.Event(fixture, order.PaymentIntentId, order.Amount)));

        await SendTo("charge.dispute.created");
        await SendTo("payment_intent.succeeded");

        await using var db = app.OpenDatabase();
        var disputed = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Disputed, disputed.Status);
        Assert.NotNull(disputed.DisputeEvidenceDueBy);
        var notice = await db.Outbox.SingleAsync(m => m.Kind == CustomerEmailKind.DisputeOpened);
        Assert.Equal(disputed.DisputeEvidenceDueBy, notice.DueAt);
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
    }

    [Fact]
    public async Task A_dispute_opens_and_its_outcome_closes_it()
    {
        var won = await _app.PlaceOrderAsync();
        var lost = await _app.PlaceOrderAsync("brass-pen");
        await Send("payment_intent.succeeded", won);
        await Send("payment_intent.succeeded", lost);

        await Send("charge.dispute.created", won);
        await Send("charge.dispute.created", lost);
        var disputed = await StatusAsync(won);
        await Send("charge.dispute.closed.won", won);
        await Send("charge.dispute.closed", lost);

        Assert.Equal(OrderStatus.Disputed, disputed);
        Assert.Equal(OrderStatus.DisputeWon, await StatusAsync(won));
        Assert.Equal(OrderStatus.DisputeLost, await StatusAsync(lost));
    }

    [Fact]
    public async Task A_payment_for_another_amount_puts_the_order_in_review_instead_of_paid()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("payment_intent.succeeded", order with { Amount = order.Amount - 1 });

        Assert.Equal(OrderStatus.NeedsReview, await StatusAsync());
    }

    [Fact]
    public async Task A_payment_in_another_currency_puts_the_order_in_review()
    {
        var order = await _app.PlaceOrderAsync();

        await Send("payment_intent.succeeded", order with { Currency = "eur" });

        Assert.Equal(OrderStatus.NeedsReview, await StatusAsync());
    }

    [Fact]
    public async Task An_event_for_an_unknown_payment_intent_is_acknowledged_and_recorded_as_ignored()
    {
        var json = StripeWebhooks.Event("payment_intent.succeeded", "pi_from_stripe_trigger", 2000, eventId: "evt_trigger");

        using var response = await StripeWebhooks.PostAsync(_client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = _app.OpenDatabase();
        var record = await db.StripeEvents.SingleAsync();
        Assert.Equal(StripeEventOutcome.Ignored, record.Outcome);
        Assert.Null(record.OrderId);
    }

    [Fact]
    public async Task An_event_about_no_payment_is_acknowledged_and_recorded_as_ignored()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, change: e =>
        {
            e["type"] = "customer.created";
            e["data"]!["object"] = new JsonObject { ["id"] = "cus_1", ["object"] = "customer", ["email"] = "ada@example.com" };
        });

        using var response = await StripeWebhooks.PostAsync(_client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = _app.OpenDatabase();
        Assert.Equal(StripeEventOutcome.Ignored, (await db.StripeEvents.SingleAsync()).Outcome);
        Assert.Equal(OrderStatus.AwaitingPayment, (await db.Orders.SingleAsync()).Status);
    }

    [Fact]
    public async Task An_event_of_another_api_release_train_is_still_applied()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount,
            change: e => e["api_version"] = "2024-06-20");

        using var response = await StripeWebhooks.PostAsync(_client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OrderStatus.Paid, await StatusAsync());
    }

    [Fact]
    public async Task The_admin_order_page_shows_the_timeline_of_events_and_the_customer_page_does_not()
    {
        await _app.CreateAdminAsync();
        var order = await _app.PlaceOrderAsync();
        await Send("payment_intent.payment_failed", order, eventId: "evt_first_failure");
        await Send("payment_intent.succeeded", order, eventId: "evt_then_success");
        using var admin = await _app.AdminSessionAsync();

        var page = (await admin.GetAsync($"/admin/orders/{order.PublicId}")).Html;
        var customerPage = await _client.GetStringAsync($"/orders/{order.PublicId}");

        var failure = page.IndexOf("<strong>payment_intent.payment_failed</strong>", StringComparison.Ordinal);
        var success = page.IndexOf("<strong>payment_intent.succeeded</strong>", StringComparison.Ordinal);
        Assert.True(failure > 0 && success > failure, "the timeline lists both events, oldest first");
        Assert.Contains("PaymentFailed → Paid", page, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"order-status\">Paid</strong>", customerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("evt_then_success", customerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("PaymentFailed → Paid", customerPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prevented_dispute_ends_refunded_and_alarms_nobody()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:OperatorsEmail"] = "payments@shop.example.com" });
        using var client = app.CreateClient();
        var order = await app.PlaceOrderAsync();

        await SendTo(client, order, "payment_intent.succeeded");
        await SendTo(client, order, "charge.dispute.created", status: "prevented");
        await SendTo(client, order, "charge.refunded");

        await using var db = app.OpenDatabase();
        var prevented = await db.Orders.SingleAsync();
        Assert.Equal((OrderStatus.Refunded, order.Amount, (DateTimeOffset?)null), (prevented.Status, prevented.RefundedMinorUnits, prevented.DisputeEvidenceDueBy));
        Assert.Equal([CustomerEmailKind.Receipt, CustomerEmailKind.Refund], await db.Outbox.OrderBy(m => m.Id).Select(m => m.Kind).ToListAsync());
    }

    [Fact]
    public async Task An_inquiry_tells_the_operators_once_and_the_order_stays_paid_until_it_closes()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:OperatorsEmail"] = "payments@shop.example.com" });
        using var client = app.CreateClient();
        var order = await app.PlaceOrderAsync();

        await SendTo(client, order, "payment_intent.succeeded");
        await SendTo(client, order, "charge.dispute.created", status: "warning_needs_response");
        await SendTo(client, order, "charge.dispute.updated", status: "warning_under_review", after: TimeSpan.FromSeconds(1));
        DateTimeOffset? answerDue;
        await using (var db = app.OpenDatabase())
        {
            var inquired = await db.Orders.SingleAsync();
            Assert.Equal(OrderStatus.Paid, inquired.Status);
            answerDue = inquired.DisputeEvidenceDueBy;
        }

        await SendTo(client, order, "charge.dispute.closed", status: "warning_closed", after: TimeSpan.FromSeconds(2));

        await using var after = app.OpenDatabase();
        var closed = await after.Orders.SingleAsync();
        Assert.NotNull(answerDue);
        Assert.Equal((OrderStatus.Paid, (DateTimeOffset?)null), (closed.Status, closed.DisputeEvidenceDueBy));
        var notice = await after.Outbox.SingleAsync(m => m.Kind != CustomerEmailKind.Receipt);
        Assert.Equal(CustomerEmailKind.DisputeInquiry, notice.Kind);
        Assert.NotNull(notice.DueAt);
    }

    [Fact]
    public async Task A_lost_dispute_appealed_is_disputed_again_with_a_notice_and_the_appeal_decides()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:OperatorsEmail"] = "payments@shop.example.com" });
        using var client = app.CreateClient();
        var order = await app.PlaceOrderAsync();
        await SendTo(client, order, "payment_intent.succeeded");
        await SendTo(client, order, "charge.dispute.created");
        await SendTo(client, order, "charge.dispute.closed", after: TimeSpan.FromSeconds(1));

        await SendTo(client, order, "charge.dispute.updated", status: "appeal_needs_response", after: TimeSpan.FromSeconds(2));
        OrderStatus appealed;
        await using (var db = app.OpenDatabase())
        {
            appealed = (await db.Orders.SingleAsync()).Status;
        }

        await SendTo(client, order, "charge.dispute.closed.won", after: TimeSpan.FromSeconds(3));

        await using var after = app.OpenDatabase();
        Assert.Equal(OrderStatus.Disputed, appealed);
        Assert.Equal(OrderStatus.DisputeWon, (await after.Orders.SingleAsync()).Status);
        Assert.Equal([CustomerEmailKind.DisputeOpened, CustomerEmailKind.DisputeAppeal],
            await after.Outbox.Where(m => m.Kind != CustomerEmailKind.Receipt).OrderBy(m => m.Id).Select(m => m.Kind).ToListAsync());
    }

    [Fact]
    public async Task A_mismatched_payment_refunded_in_full_leaves_needs_review_as_refunded()
    {
        var order = await _app.PlaceOrderAsync();
        await Send("payment_intent.succeeded", order, amount: order.Amount - 100);
        var reviewed = await StatusAsync();

        await Send("charge.refunded", order, refunded: order.Amount - 100, amount: order.Amount - 100);

        Assert.Equal(OrderStatus.NeedsReview, reviewed);
        Assert.Equal(OrderStatus.Refunded, await StatusAsync());
    }

    [Theory]
    [InlineData("refund.failed", "failed")]
    [InlineData("charge.refund.updated", "failed")]
    [InlineData("charge.refund.updated", "canceled")]
    public async Task A_refund_that_fails_gives_its_amount_back_and_the_whole_payment_can_be_refunded_again(string type, string status)
    {
        await _app.CreateAdminAsync();
        var order = await _app.PlaceOrderAsync();
        await Send("payment_intent.succeeded", order);
        _stripe.SetStatus(order.PaymentIntentId, "succeeded");
        await Send("charge.refunded", order, refunded: 400);
        var refundedBefore = await RefundedAsync();

        var json = StripeWebhooks.Event("refund.failed", order.PaymentIntentId, 400, change: e =>
        {
            e["type"] = type;
            e["data"]!["object"]!["status"] = status;
            e["created"] = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        });
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(_client, json));
        using var admin = await _app.AdminSessionAsync();
        var fullRefund = (order.Amount / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=Refund",
            [new("refundRequestId", Guid.NewGuid().ToString()), new("amount", fullRefund), new("confirm", "true")]);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Equal(400, refundedBefore);
        Assert.Contains($"Stripe accepted the refund of ${fullRefund}", page.Html, StringComparison.Ordinal);
        Assert.Equal(order.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(_stripe.RefundRequests).Form["amount"]);
        await using var db = _app.OpenDatabase();
        var stored = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Paid, stored.Status);
        Assert.Equal(0, stored.RefundedMinorUnits);
    }

    /// <summary>A dispute fixture with another status, created <paramref name="after"/> now: Stripe's statuses of one dispute come in time order.</summary>
    private static async Task SendTo(HttpClient client, PlacedOrder order, string fixture, string? status = null, TimeSpan? after = null)
    {
        var json = StripeWebhooks.Event(fixture.StartsWith("charge.dispute.updated", StringComparison.Ordinal) ? "charge.dispute.created" : fixture,
            order.PaymentIntentId, order.Amount, order.Currency, order.PublicId, change: e =>
            {
                if (fixture.StartsWith("charge.dispute.updated", StringComparison.Ordinal))
                {
                    e["type"] = "charge.dispute.updated";
                }

                if (status is not null)
                {
                    e["data"]!["object"]!["status"] = status;
                }

                if (after is { } later)
                {
                    e["created"] = DateTimeOffset.UtcNow.Add(later).ToUnixTimeSeconds();
                }
            });
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(client, json));
    }

    [Fact]
    public async Task A_database_failure_answers_503_so_stripe_retries()
    {
        var order = await _app.PlaceOrderAsync();
        await using (var db = _app.OpenDatabase())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"StripeEvents\" RENAME TO \"StripeEventsGone\";");
        }

        using var response = await StripeWebhooks.PostAsync(_client,
            StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(OrderStatus.AwaitingPayment, await StatusAsync());
    }

    private async Task Send(string fixture, PlacedOrder order, long? refunded = null, string? eventId = null, TimeSpan? createdAgo = null, long? amount = null)
    {
        var json = StripeWebhooks.Event(fixture, order.PaymentIntentId, amount ?? order.Amount, order.Currency, order.PublicId, eventId, e =>
        {
            if (refunded is { } amount)
            {
                e["data"]!["object"]!["amount_refunded"] = amount;
            }

            if (createdAgo is { } ago)
            {
                e["created"] = DateTimeOffset.UtcNow.Add(-ago).ToUnixTimeSeconds();
            }
        });
        using var response = await StripeWebhooks.PostAsync(_client, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<long> RefundedAsync()
    {
        await using var db = _app.OpenDatabase();
        return (await db.Orders.SingleAsync()).RefundedMinorUnits;
    }

    private async Task<OrderStatus> StatusAsync(PlacedOrder? order = null)
    {
        await using var db = _app.OpenDatabase();
        var orders = db.Orders.AsQueryable();
        return (await (order is null ? orders.SingleAsync() : orders.SingleAsync(o => o.PublicId == order.PublicId))).Status;
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _stripe.Dispose();
    }
}
