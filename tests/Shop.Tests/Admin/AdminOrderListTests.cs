using System.Net;
using System.Text.RegularExpressions;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;

namespace Shop.Tests.Admin;

public sealed partial class AdminOrderListTests : IDisposable
{
    private static readonly DateTimeOffset s_monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly ShopApp _app = new();

    [Fact]
    public async Task The_list_shows_the_newest_orders_first()
    {
        var older = await _app.AddOrderAsync("ada@example.com", s_monday);
        var newer = await _app.AddOrderAsync("grace@example.com", s_monday.AddHours(2));
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();

        var page = await admin.GetAsync("/admin/orders");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal([newer.PublicId, older.PublicId], OrderIds(page.Html));
    }

    [Fact]
    public async Task Filters_by_status_dates_email_and_ids_combine()
    {
        var paidMonday = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.Paid);
        var paidTuesday = await _app.AddOrderAsync("ADA@example.com", s_monday.AddDays(1), OrderStatus.Paid);
        await _app.AddOrderAsync("ada@example.com", s_monday.AddDays(1), OrderStatus.PaymentFailed);
        var grace = await _app.AddOrderAsync("grace@example.com", s_monday.AddDays(2), OrderStatus.Paid);
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();

        var byStatusAndEmail = await admin.GetAsync("/admin/orders?Filter.Status=Paid&Filter.Email=Ada@");
        var byDay = await admin.GetAsync("/admin/orders?Filter.From=2026-12-01&Filter.To=2026-12-01&Filter.Status=Paid");
        var byOrderId = await admin.GetAsync("/admin/orders?Filter.Id=" + paidMonday.PublicId);
        var byPaymentIntent = await admin.GetAsync("/admin/orders?Filter.Id=" + grace.PaymentIntentId);

        Assert.Equal([paidTuesday.PublicId, paidMonday.PublicId], OrderIds(byStatusAndEmail.Html));
        Assert.Equal([paidTuesday.PublicId], OrderIds(byDay.Html));
        Assert.Equal([paidMonday.PublicId], OrderIds(byOrderId.Html));
        Assert.Equal([grace.PublicId], OrderIds(byPaymentIntent.Html));
    }

    [Fact]
    public async Task The_list_pages_fifty_orders_at_a_time()
    {
        var ids = new List<string>();
        for (var i = 0; i < 51; i++)
        {
            ids.Add((await _app.AddOrderAsync($"customer{i}@example.com", s_monday.AddMinutes(i))).PublicId);
        }

        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();

        var first = await admin.GetAsync("/admin/orders");
        var second = await admin.GetAsync("/admin/orders?pageNumber=2");

        Assert.Equal(50, OrderIds(first.Html).Count);
        Assert.Equal(ids[50], OrderIds(first.Html)[0]);
        Assert.Equal([ids[0]], OrderIds(second.Html));
        Assert.Contains("51 orders · page 2 of 2", second.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_export_holds_the_whole_filtered_list_with_formulas_defused()
    {
        var paid = await _app.AddOrderAsync("ada@example.com", s_monday, OrderStatus.PartiallyRefunded, name: "=HYPERLINK(\"x\"), Esq.", refunded: 400);
        await _app.AddOrderAsync("grace@example.com", s_monday.AddHours(1));
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();

        using var response = await admin.Client.GetAsync("/admin/orders?Filter.Status=PartiallyRefunded&handler=Csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "order,created_at,status,email,name,currency,total,paid,refunded,payment_intent\n" +
            $"{paid.PublicId},2026-11-30T09:00:00Z,PartiallyRefunded,ada@example.com,\"'=HYPERLINK(\"\"x\"\"), Esq.\",usd,24.00,24.00,4.00,{paid.PaymentIntentId}\n",
            csv.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Anonymous_csv_export_is_sent_to_the_login_page()
    {
        await _app.AddOrderAsync("ada@example.com", s_monday);
        using var session = _app.NewSession();

        var page = await session.GetAsync("/admin/orders?handler=Csv");

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.DoesNotContain("ada@example.com", page.Html, StringComparison.Ordinal);
    }

    internal static List<string> OrderIds(string html) =>
        OrderLink().Matches(html).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<a href=\"/admin/orders/(ord_[0-9a-f]+)\">")]
    private static partial Regex OrderLink();

    public void Dispose() => _app.Dispose();
}
