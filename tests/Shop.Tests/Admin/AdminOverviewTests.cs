using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.Admin;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Admin;

/// <summary>The admin's landing page: its figures against orders written in the test, on the configured provider.</summary>
public sealed partial class AdminOverviewTests : IDisposable
{
    // Afternoon UTC: "today" began 15 hours ago.
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(s_now);
    private readonly DatabaseTraffic _traffic = new();
    private readonly ShopApp _app;

    public AdminOverviewTests() => _app = new ShopApp(testServices: services =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        _traffic.AddTo(services);
    });

    [Fact]
    public async Task Paid_and_refunded_totals_count_today_and_the_last_thirty_days_per_currency()
    {
        var paidToday = await _app.AddOrderAsync("ada@example.com", s_now.AddHours(-14), OrderStatus.Paid, amount: 2400);
        var refundedToday = await _app.AddOrderAsync("bob@example.com", s_now.AddHours(-1), OrderStatus.PartiallyRefunded, amount: 5000, refunded: 1000);
        var refundedYesterday = await _app.AddOrderAsync("cy@example.com", s_now.AddHours(-16), OrderStatus.Refunded, amount: 1000, refunded: 1000);
        await _app.AddOrderAsync("di@example.com", s_now.AddDays(-29).AddHours(-15), OrderStatus.Paid, amount: 700);
        await _app.AddOrderAsync("too-old@example.com", s_now.AddDays(-29).AddHours(-15).AddSeconds(-1), OrderStatus.Paid, amount: 9999);
        await _app.AddOrderAsync("unpaid@example.com", s_now.AddHours(-2), amount: 3000);
        await _app.AddOrderAsync("declined@example.com", s_now.AddHours(-2), OrderStatus.PaymentFailed, amount: 3000);
        var yen = await _app.AddOrderAsync("yen@example.com", s_now.AddHours(-3), OrderStatus.Paid, amount: 3600, currency: "jpy");
        using var admin = await SignInAsync();

        var page = await admin.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("$74.00", Figure(page.Html, "paid-today-usd"));
        Assert.Equal("$91.00", Figure(page.Html, "paid-window-usd"));
        Assert.Equal("$10.00", Figure(page.Html, "refunds-today-usd"));
        Assert.Equal("$20.00", Figure(page.Html, "refunds-window-usd"));
        Assert.Equal("¥3,600", Figure(page.Html, "paid-today-jpy"));
        Assert.Equal("¥3,600", Figure(page.Html, "paid-window-jpy"));
        Assert.Equal("¥0", Figure(page.Html, "refunds-today-jpy"));
        Assert.Equal(
            [refundedToday.PublicId, paidToday.PublicId],
            AdminOrderListTests.OrderIds((await admin.GetAsync(Link(page.Html, "paid-today-usd"))).Html));
        Assert.Equal(
            [refundedToday.PublicId, refundedYesterday.PublicId],
            AdminOrderListTests.OrderIds((await admin.GetAsync(Link(page.Html, "refunds-window-usd"))).Html));
        Assert.Equal([yen.PublicId], AdminOrderListTests.OrderIds((await admin.GetAsync(Link(page.Html, "paid-window-jpy"))).Html));
    }

    [Fact]
    public async Task Disputes_orders_needing_review_and_failed_emails_are_counted_and_linked_to_their_lists()
    {
        var disputed = await _app.AddOrderAsync("ada@example.com", s_now.AddDays(-3), OrderStatus.Disputed, amount: 2400);
        var wonLongAgo = await _app.AddOrderAsync("bob@example.com", s_now.AddDays(-60), OrderStatus.DisputeWon, amount: 2400);
        var review = await _app.AddOrderAsync("cy@example.com", s_now.AddDays(-2), OrderStatus.NeedsReview, amount: 1500);
        var emailed = await _app.AddOrderAsync("di@example.com", s_now.AddDays(-1), OrderStatus.Paid);
        await using (var db = _app.OpenDatabase())
        {
            db.DisputeFacts.Add(Dispute("du_open", disputed.PaymentIntentId!, "needs_response", s_now.AddDays(5)));
            db.DisputeFacts.Add(Dispute("du_won", wonLongAgo.PaymentIntentId!, "won", s_now.AddDays(-40)));
            var failed = OutboxMessage.Queue(emailed.Id, CustomerEmailKind.Receipt, "receipt", 2400, s_now.AddDays(-1));
            failed.Status = OutboxStatus.Failed;
            db.Outbox.Add(failed);
            db.Outbox.Add(OutboxMessage.Queue(review.Id, CustomerEmailKind.Receipt, "receipt", 1500, s_now.AddDays(-2)));
            await db.SaveChangesAsync();
        }

        using var admin = await SignInAsync();

        var page = await admin.GetAsync("/admin");

        Assert.Equal("1 open dispute", Text(page.Html, "open-disputes"));
        Assert.Equal("/admin/disputes", Link(page.Html, "open-disputes"));
        Assert.Contains($"<td>2026-12-12 15:00</td>", DisputeDeadlines(page.Html), StringComparison.Ordinal);
        Assert.Contains(disputed.PublicId, DisputeDeadlines(page.Html), StringComparison.Ordinal);
        Assert.Equal("1 order needs review", Text(page.Html, "needs-review"));
        Assert.Equal([review.PublicId], AdminOrderListTests.OrderIds((await admin.GetAsync(Link(page.Html, "needs-review"))).Html));
        Assert.Equal("1 failed email", Text(page.Html, "failed-emails"));
        Assert.Equal([emailed.PublicId], AdminOrderListTests.OrderIds((await admin.GetAsync(Link(page.Html, "failed-emails"))).Html));
    }

    [Fact]
    public async Task The_daily_chart_is_an_svg_with_a_title_and_a_table_of_every_day()
    {
        await _app.AddOrderAsync("ada@example.com", s_now.AddDays(-1), OrderStatus.Paid, amount: 1000);
        await _app.AddOrderAsync("bob@example.com", s_now.AddDays(-1), OrderStatus.Paid, amount: 500);
        await _app.AddOrderAsync("cy@example.com", s_now, OrderStatus.Paid, amount: 3000);
        using var admin = await SignInAsync();

        var page = await admin.GetAsync("/admin");

        var chart = ChartPattern().Match(page.Html);
        Assert.True(chart.Success, "no chart for usd");
        Assert.Contains("<title id=\"chart-title-usd\">Paid per day in USD</title>", chart.Value, StringComparison.Ordinal);
        // The highest day fills the chart's height; the day before is half as high.
        Assert.Contains("y=\"0\" width=\"18\" height=\"160\"", chart.Value, StringComparison.Ordinal);
        Assert.Contains("y=\"80\" width=\"18\" height=\"80\"", chart.Value, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(chart.Value, "<rect "));
        var days = DayRows().Matches(page.Html).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal(AdminOverview.Days, days.Count);
        Assert.Equal(("2026-12-07", "$30.00"), days[0]);
        Assert.Equal(("2026-12-06", "$15.00"), days[1]);
        Assert.Equal(("2026-11-08", "$0.00"), days[^1]);
    }

    [Fact]
    public async Task The_overview_reads_the_database_a_fixed_number_of_times_whatever_the_days_with_sales()
    {
        for (var day = 0; day < AdminOverview.Days; day++)
        {
            await _app.AddOrderAsync($"customer{day}@example.com", s_now.AddDays(-day), OrderStatus.Paid, amount: 100 + day);
        }

        using var admin = await SignInAsync();

        var page = await admin.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var reads = _traffic.OfLast("GET /admin").Count(s => s.Kind == DatabaseStepKind.Read && s.Detail?.Contains("\"Orders\"", StringComparison.Ordinal) == true);
        // Sales in one query, orders needing review in one, the open disputes' orders in one: not one per day.
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task Health_of_the_event_writer_reconciliation_and_outbox_is_shown()
    {
        using var admin = await SignInAsync();

        var page = await admin.GetAsync("/admin");

        Assert.Matches("<tr id=\"health-event-writer\">\\s*<th scope=\"row\">event-writer</th>\\s*<td class=\"\">Healthy</td>\\s*<td>The event writer is running.</td>", page.Html);
        Assert.Matches("<tr id=\"health-reconciliation\">[\\s\\S]*?The reconciliation worker is off", page.Html);
        Assert.Contains("id=\"health-outbox\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"no-sales\"", page.Html, StringComparison.Ordinal);
    }

    private async Task<ShopSession> SignInAsync()
    {
        await _app.CreateAdminAsync();
        return await _app.AdminSessionAsync();
    }

    private static DisputeFact Dispute(string id, string paymentIntentId, string status, DateTimeOffset dueBy) => new()
    {
        DisputeId = id,
        PaymentIntentId = paymentIntentId,
        Status = status,
        Amount = 2400,
        Currency = "usd",
        Reason = "fraudulent",
        EvidenceDueBy = dueBy,
        ObservedAt = s_now.AddDays(-3),
    };

    private static string Figure(string html, string id) =>
        Regex.Match(html, $"<a id=\"{id}\" href=\"[^\"]*\">([^<]*)</a>") is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No figure {id}.");

    private static string Text(string html, string id) =>
        Regex.Replace(Regex.Match(html, $"<a id=\"{id}\" href=\"[^\"]*\">(.*?)</a>").Groups[1].Value, "<[^>]+>", "");

    private static string Link(string html, string id) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"<a id=\"{id}\" href=\"([^\"]*)\"").Groups[1].Value);

    private static string DisputeDeadlines(string html) => Regex.Match(html, "<table class=\"admin-orders\" id=\"dispute-deadlines\">[\\s\\S]*?</table>").Value;

    [GeneratedRegex("<svg id=\"chart-usd\"[\\s\\S]*?</svg>")]
    private static partial Regex ChartPattern();

    [GeneratedRegex("<tr><td>(\\d{4}-\\d{2}-\\d{2})</td><td><a href=\"[^\"]*\">([^<]*)</a></td></tr>")]
    private static partial Regex DayRows();

    public void Dispose() => _app.Dispose();
}
