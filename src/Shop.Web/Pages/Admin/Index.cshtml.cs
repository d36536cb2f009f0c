using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Shop.Web.Admin;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Admin;

public sealed class IndexModel(AdminOverview overview) : PageModel
{
    public Overview Figures { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Figures = await overview.ReadAsync(cancellationToken);

    /// <summary>The order list showing the orders behind a money figure: paid (or refunded) orders in this currency placed in these days.</summary>
    public static string OrdersLink(string currency, DateOnly from, DateOnly to, bool refunded = false) =>
        QueryHelpers.AddQueryString("/admin/orders", new Dictionary<string, string?>
        {
            ["Filter.From"] = Day(from),
            ["Filter.To"] = Day(to),
            ["Filter.Currency"] = currency,
            [refunded ? "Filter.Refunded" : "Filter.Paid"] = "true",
        });

    public static string StatusLink(OrderStatus status) => "/admin/orders?Filter.Status=" + status;

    public const string FailedEmailsLink = "/admin/orders?Filter.FailedEmail=true";

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
