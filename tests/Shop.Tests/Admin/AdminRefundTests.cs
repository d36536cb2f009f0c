using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;

namespace Shop.Tests.Admin;

public sealed partial class AdminRefundTests : IDisposable
{
    private static readonly DateTimeOffset s_monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    // The shop's 2 s test timeout is for tests of timeouts; a first call to the stub on a busy 2-core machine can take longer.
    public AdminRefundTests() => _app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Stripe:RequestTimeout"] = "00:00:30" });

    [Fact]
    public async Task A_partial_refund_is_asked_of_stripe_and_named_on_the_timeline_while_the_order_waits_for_stripe()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();

        var answer = await RefundAsync(admin, order.PublicId, amount: "4.00");

        var request = Assert.Single(_stripe.RefundRequests);
        Assert.Equal("400", request.Form["amount"]);
        Assert.Equal(order.PaymentIntentId, request.Form["payment_intent"]);
        Assert.Matches($"^shop-{order.PublicId}-refund-[0-9a-f]{{32}}$", request.IdempotencyKey);
        Assert.Contains("Stripe accepted the refund of $4.00", answer.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var stored = await db.Orders.SingleAsync(o => o.PublicId == order.PublicId);
        Assert.Equal(OrderStatus.Paid, stored.Status);
        Assert.Equal(0, stored.RefundedMinorUnits);
        var timeline = await TimelineAsync(order);
        Assert.Equal(["refund requested", "refund accepted"], timeline.Select(e => e.Title));
        Assert.All(timeline, entry => Assert.Equal(AdminUsers.Email, entry.Source));
        Assert.Equal($"{AdminUsers.Email} asked Stripe to refund $4.00", timeline[0].Description);
        Assert.Equal($"Stripe accepted the refund of $4.00 asked by {AdminUsers.Email}: {Assert.Single(_stripe.RefundsMade)} (succeeded)", timeline[1].Description);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_is_on_the_timeline_and_sent_again_makes_one_refund_and_records_it()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();
        _stripe.LoseTheAnswerToTheNextRefund();
        var lost = await RefundAsync(admin, order.PublicId, amount: "4.00");
        var beforeResending = await TimelineAsync(order);

        var resent = await ResendAsync(admin, order.PublicId, UnansweredRequestId().Match(lost.Html).Groups[1].Value);

        Assert.Contains("Stripe answered 500: An unknown error occurred. (Stripe request req_stub), so the refund may or may not have been made.", lost.Html, StringComparison.Ordinal);
        var requested = Assert.Single(beforeResending);
        Assert.Equal(("refund requested", AdminUsers.Email), (requested.Title, requested.Source));
        Assert.Equal($"{AdminUsers.Email} asked Stripe to refund $4.00", requested.Description);
        // Sent again, it is looked for at Stripe first, and found: not created again.
        Assert.Single(_stripe.RefundRequests);
        Assert.Equal(1, _stripe.RefundListings);
        var refund = Assert.Single(_stripe.RefundsMade);
        Assert.Contains("Stripe accepted the refund of $4.00 (succeeded).", resent.Html, StringComparison.Ordinal);
        Assert.DoesNotMatch(UnansweredRequestId(), resent.Html);
        var timeline = await TimelineAsync(order);
        Assert.Equal(["refund requested", "refund accepted"], timeline.Select(e => e.Title));
        Assert.EndsWith($": {refund} (succeeded)", timeline[1].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_sent_again_after_stripe_forgot_its_key_makes_no_second_refund()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();
        _stripe.LoseTheAnswerToTheNextRefund();
        var lost = await RefundAsync(admin, order.PublicId, amount: "4.00");
        _stripe.ForgetIdempotencyKeys();

        var resent = await ResendAsync(admin, order.PublicId, UnansweredRequestId().Match(lost.Html).Groups[1].Value);

        var refund = Assert.Single(_stripe.RefundsMade);
        Assert.Single(_stripe.RefundRequests);
        Assert.Contains("Stripe accepted the refund of $4.00 (succeeded).", resent.Html, StringComparison.Ordinal);
        var timeline = await TimelineAsync(order);
        Assert.Equal(["refund requested", "refund accepted"], timeline.Select(e => e.Title));
        Assert.EndsWith($": {refund} (succeeded)", timeline[1].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_double_click_on_one_refund_form_makes_one_refund()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();
        var form = await RefundFormAsync(admin, order.PublicId, amount: "4.00");

        var answers = await Task.WhenAll(PostAsync(admin, order.PublicId, form), PostAsync(admin, order.PublicId, form));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Redirect, status));
        // The second click reaches Stripe too (same key, same refund), unless the first one's answer was recorded when it came.
        Assert.InRange(_stripe.RefundRequests.Count, 1, 2);
        Assert.Single(_stripe.RefundRequests.Select(r => r.IdempotencyKey).Distinct());
        Assert.Single(_stripe.RefundsMade);
        var timeline = await TimelineAsync(order);
        Assert.Equal(["refund requested", "refund accepted"], timeline.Select(e => e.Title));
    }

    [Fact]
    public async Task A_refund_above_what_remains_refundable_is_refused_and_nothing_reaches_stripe()
    {
        var order = await PaidOrderAsync(refunded: 2000);
        using var admin = await _app.AdminSessionAsync();

        var answer = await RefundAsync(admin, order.PublicId, amount: "4.01");

        Assert.Contains("$4.01 is more than what remains refundable ($4.00).", answer.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.RefundRequests);
        await using var db = _app.OpenDatabase();
        Assert.Empty(await db.OrderTimeline.ToListAsync());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("4.001")]
    [InlineData("four")]
    public async Task A_refund_amount_that_is_not_an_amount_is_refused(string amount)
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();

        var answer = await RefundAsync(admin, order.PublicId, amount);

        Assert.Contains($"is not an amount to refund: write a number above zero in USD, like 4.00.", answer.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.RefundRequests);
    }

    [Fact]
    public async Task A_note_too_long_for_the_record_is_refused_and_nothing_reaches_stripe()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();

        var answer = await RefundAsync(admin, order.PublicId, amount: "4.00", note: new string('n', 201));

        Assert.Contains("The note is longer than 200 characters; shorten it. Nothing was sent to Stripe.", answer.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.RefundRequests);
        Assert.Empty(await TimelineAsync(order));
    }

    [Fact]
    public async Task A_refund_of_an_unpaid_order_is_refused()
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday);
        using var admin = await _app.AdminSessionAsync();

        var page = await admin.GetAsync($"/admin/orders/{order.PublicId}");
        var answer = await RefundAsync(admin, order.PublicId, amount: "1.00");

        Assert.Contains("Nothing to refund", page.Html, StringComparison.Ordinal);
        Assert.Contains($"Order {order.PublicId} has no confirmed payment to refund (it is AwaitingPayment).", answer.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.RefundRequests);
    }

    [Fact]
    public async Task An_unconfirmed_refund_is_not_sent()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();

        var answer = await RefundAsync(admin, order.PublicId, amount: "4.00", confirm: false);

        Assert.Contains("Tick the box to confirm the refund; nothing was sent to Stripe.", answer.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.RefundRequests);
    }

    [Fact]
    public async Task A_stripe_error_is_shown_in_plain_words_with_stripe_request_id()
    {
        var order = await PaidOrderAsync();
        using var admin = await _app.AdminSessionAsync();
        _stripe.FailWith(HttpStatusCode.BadRequest, "invalid_request_error", "charge_disputed");

        var answer = await RefundAsync(admin, order.PublicId, amount: "4.00");

        Assert.Contains("Stripe refused the refund: Stub failure 400 (Stripe request req_stub).", answer.Html, StringComparison.Ordinal);
        Assert.DoesNotMatch(UnansweredRequestId(), answer.Html);
        var timeline = await TimelineAsync(order);
        Assert.Equal(["refund requested", "refund refused"], timeline.Select(e => e.Title));
        Assert.Equal($"Stripe refused the refund of $4.00 asked by {AdminUsers.Email}: Stub failure 400 (Stripe request req_stub)", timeline[1].Description);
        await using var db = _app.OpenDatabase();
        var stored = await db.Orders.SingleAsync(o => o.PublicId == order.PublicId);
        Assert.Equal((OrderStatus.Paid, 0L), (stored.Status, stored.RefundedMinorUnits));
    }

    private async Task<Order> PaidOrderAsync(long refunded = 0)
    {
        await _app.CreateAdminAsync();
        var order = await _app.AddOrderAsync("ada@example.com", s_monday, refunded > 0 ? OrderStatus.PartiallyRefunded : OrderStatus.Paid, refunded: refunded);
        _stripe.AnswerRetrieve(order.PaymentIntentId!, "succeeded", order.TotalMinorUnits, refunded: refunded);
        return order;
    }

    /// <summary>Fills the refund form as shown (with its own refund request id), sends it and follows the redirect back.</summary>
    private static async Task<ShopSession.Page> RefundAsync(ShopSession admin, string publicId, string amount, bool confirm = true, string? note = null)
    {
        var form = await RefundFormAsync(admin, publicId, amount, confirm);
        if (note is not null)
        {
            form["note"] = note;
        }

        var status = await PostAsync(admin, publicId, form);
        Assert.Equal(HttpStatusCode.Redirect, status);
        return await admin.GetAsync($"/admin/orders/{publicId}");
    }

    private static async Task<Dictionary<string, string>> RefundFormAsync(ShopSession admin, string publicId, string amount, bool confirm = true)
    {
        var page = await admin.GetAsync($"/admin/orders/{publicId}");
        var requestId = RefundRequestId().Match(page.Html) is { Success: true } m ? m.Groups[1].Value : Guid.NewGuid().ToString();
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.AntiforgeryToken!,
            ["refundRequestId"] = requestId,
            ["amount"] = amount,
        };
        if (confirm)
        {
            form["confirm"] = "true";
        }

        return form;
    }

    /// <summary>Sends an unanswered request again from its own form on the order's page, and follows the redirect back.</summary>
    private static async Task<ShopSession.Page> ResendAsync(ShopSession admin, string publicId, string requestId)
    {
        var page = await admin.GetAsync($"/admin/orders/{publicId}");
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = page.AntiforgeryToken!, ["refundRequestId"] = requestId, ["confirm"] = "true" };
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(admin, publicId, form));
        return await admin.GetAsync($"/admin/orders/{publicId}");
    }

    private async Task<List<OrderTimelineEntry>> TimelineAsync(Order order)
    {
        await using var db = _app.OpenDatabase();
        return await db.OrderTimeline.Where(e => e.OrderId == order.Id).OrderBy(e => e.At).ThenBy(e => e.Title == "refund requested" ? 0 : 1).ToListAsync();
    }

    private static async Task<HttpStatusCode> PostAsync(ShopSession admin, string publicId, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await admin.Client.PostAsync($"/admin/orders/{publicId}?handler=Refund", content);
        return response.StatusCode;
    }

    [GeneratedRegex("id=\"refund-form\"[^>]*>\\s*<input type=\"hidden\" name=\"refundRequestId\" value=\"([0-9a-f-]+)\"")]
    private static partial Regex RefundRequestId();

    [GeneratedRegex("class=\"admin-form unanswered-refund\"[^>]*>[\\s\\S]*?name=\"refundRequestId\" value=\"([0-9a-f-]+)\"")]
    private static partial Regex UnansweredRequestId();

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
