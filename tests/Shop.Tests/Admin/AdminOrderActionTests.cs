using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Common;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Admin;

public sealed class AdminOrderActionTests : IDisposable
{
    private static readonly DateTimeOffset s_monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public AdminOrderActionTests() => _app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Stripe:RequestTimeout"] = "00:00:30" });

    [Fact]
    public async Task Asking_stripe_now_after_a_partial_refund_shows_the_order_partially_refunded()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Paid);
        _stripe.AnswerRetrieve(order.PaymentIntentId!, "succeeded", order.TotalMinorUnits, refunded: 400);
        using var admin = await _app.AdminSessionAsync();

        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=AskStripe", []);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Contains("<dd id=\"order-status\">PartiallyRefunded</dd>", page.Html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"order-refunded\">$4.00</dd>", page.Html, StringComparison.Ordinal);
        Assert.Contains("Stripe answered; the order shows what it said.", page.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var asked = await db.OrderTimeline.SingleAsync(e => e.Title == "asked Stripe");
        Assert.Equal(AdminUsers.Email, asked.Source);
    }

    [Fact]
    public async Task A_failed_email_is_queued_again_and_the_timeline_names_the_admin()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Paid);
        var email = OutboxMessage.Queue(order.Id, CustomerEmailKind.Receipt, "receipt", order.TotalMinorUnits, s_monday);
        email.Status = OutboxStatus.Failed;
        email.Attempts = 7;
        email.LastError = "550 mailbox unavailable";
        await using (var arrange = _app.OpenDatabase())
        {
            arrange.Outbox.Add(email);
            await arrange.SaveChangesAsync();
        }

        using var admin = await _app.AdminSessionAsync();
        var shown = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=RequeueEmail",
            [new("emailId", email.Id.ToString()), new("confirm", "true")]);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Contains("550 mailbox unavailable", shown.Html, StringComparison.Ordinal);
        Assert.Contains("The Receipt email is queued again.", page.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var entry = await db.OrderTimeline.SingleAsync(e => e.Title == "email requeued");
        Assert.Equal(AdminUsers.Email, entry.Source);
        Assert.Contains("after 7 attempts: 550 mailbox unavailable", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_of_another_order_is_not_requeued()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Paid);
        var other = await _app.AddOrderAsync("grace@example.com", s_monday, OrderStatus.Paid);
        var email = OutboxMessage.Queue(other.Id, CustomerEmailKind.Receipt, "receipt", other.TotalMinorUnits, s_monday);
        email.Status = OutboxStatus.Failed;
        await using (var arrange = _app.OpenDatabase())
        {
            arrange.Outbox.Add(email);
            await arrange.SaveChangesAsync();
        }

        using var admin = await _app.AdminSessionAsync();

        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=RequeueEmail",
            [new("emailId", email.Id.ToString()), new("confirm", "true")]);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Contains("This order has no such email.", page.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        Assert.Equal(OutboxStatus.Failed, (await db.Outbox.SingleAsync()).Status);
    }

    [Fact]
    public async Task Canceling_an_unpaid_payment_asks_stripe_and_leaves_the_order_to_stripe_event()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday);
        _stripe.AnswerRetrieve(order.PaymentIntentId!, "requires_payment_method", order.TotalMinorUnits);
        using var admin = await _app.AdminSessionAsync();

        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=CancelPayment", [new("confirm", "true")]);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Single(_stripe.PaymentIntentCancellations);
        Assert.Equal("canceled", _stripe.StatusOf(order.PaymentIntentId!));
        Assert.Contains("Stripe canceled the PaymentIntent.", page.Html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"order-status\">AwaitingPayment</dd>", page.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        Assert.Equal(AdminUsers.Email, (await db.OrderTimeline.SingleAsync(e => e.Title == "cancel requested")).Source);
    }

    [Fact]
    public async Task A_paid_order_payment_is_not_canceled()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Paid);
        using var admin = await _app.AdminSessionAsync();

        await admin.PostFormAsync($"/admin/orders/{order.PublicId}", $"/admin/orders/{order.PublicId}?handler=CancelPayment", [new("confirm", "true")]);
        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");

        Assert.Contains("Only an unpaid order&#x27;s PaymentIntent can be canceled; this order is Paid.", page.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.PaymentIntentCancellations);
    }

    [Fact]
    public async Task Open_disputes_are_listed_nearest_evidence_deadline_first()
    {
        await _app.CreateAdminAsync();
        var later = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Disputed);
        var sooner = await _app.AddOrderAsync("grace@example.com", s_monday, OrderStatus.Disputed);
        var won = await _app.AddOrderAsync("alan@example.com", s_monday, OrderStatus.DisputeWon);
        await using (var arrange = _app.OpenDatabase())
        {
            arrange.DisputeFacts.AddRange(
                Dispute("du_later", later, "needs_response", s_monday.AddDays(9)),
                Dispute("du_sooner", sooner, "warning_needs_response", s_monday.AddDays(3)),
                Dispute("du_won", won, "won", s_monday.AddDays(1)));
            await arrange.SaveChangesAsync();
        }

        using var admin = await _app.AdminSessionAsync();

        var page = await admin.GetAsync("/admin/disputes");

        var ids = System.Text.RegularExpressions.Regex.Matches(page.Html, "<code class=\"dispute-id\">(du_[a-z]+)</code>").Select(m => m.Groups[1].Value);
        Assert.Equal(["du_sooner", "du_later"], ids);
        Assert.Contains("2026-12-03 09:00", page.Html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/admin/orders/{sooner.PublicId}\">", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accepted_needs_review_order_is_paid_leaves_the_review_list_and_the_timeline_names_who_and_why()
    {
        await _app.CreateAdminAsync();
        using var client = _app.CreateClient();
        var review = await _app.PlaceOrderAsync();
        var paid = await _app.PlaceOrderAsync();
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(client, StripeWebhooks.Event("payment_intent.succeeded", review.PaymentIntentId, review.Amount - 100)));
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(client, StripeWebhooks.Event("payment_intent.succeeded", paid.PaymentIntentId, paid.Amount)));
        using var admin = await _app.AdminSessionAsync();

        await admin.PostFormAsync($"/admin/orders/{review.PublicId}", $"/admin/orders/{review.PublicId}?handler=AcceptReview",
            [new("note", "customer paid the old price by phone"), new("confirm", "true")]);
        await admin.PostFormAsync($"/admin/orders/{paid.PublicId}", $"/admin/orders/{paid.PublicId}?handler=AcceptReview",
            [new("note", "anything"), new("confirm", "true")]);
        var refused = await admin.GetAsync($"/admin/orders/{paid.PublicId}");

        Assert.Contains("This order is Paid, not NeedsReview: there is nothing to accept.", refused.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var accepted = await db.Orders.SingleAsync(o => o.PublicId == review.PublicId);
        Assert.Equal((OrderStatus.Paid, review.Amount - 100), (accepted.Status, accepted.ReviewAcceptedMinorUnits));
        Assert.Equal(0, await db.Orders.CountAsync(o => o.Status == OrderStatus.NeedsReview));
        var entry = await db.OrderTimeline.SingleAsync(e => e.Title == "review accepted");
        Assert.Equal((accepted.Id, AdminUsers.Email), (entry.OrderId, entry.Source));
        Assert.Equal($"{AdminUsers.Email} accepted the payment of {new Money(review.Amount - 100, "usd")} as Stripe took it (NeedsReview → Paid): customer paid the old price by phone",
            entry.Description);
    }

    private static DisputeFact Dispute(string id, Order order, string status, DateTimeOffset due) => new()
    {
        DisputeId = id,
        PaymentIntentId = order.PaymentIntentId!,
        Status = status,
        Amount = order.TotalMinorUnits,
        Currency = "usd",
        Reason = "fraudulent",
        EvidenceDueBy = due,
        ObservedAt = s_monday,
    };

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
