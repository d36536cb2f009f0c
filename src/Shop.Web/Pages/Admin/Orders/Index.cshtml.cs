using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Admin;

namespace Shop.Web.Pages.Admin.Orders;

public sealed class IndexModel(AdminOrderSearch search) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public OrderFilter Filter { get; set; } = new();

    // Not "page": Razor Pages keeps that route value for the page's own name.
    [BindProperty(Name = "pageNumber", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public OrderPage Results { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Results = await search.PageAsync(Filter, PageNumber, cancellationToken);

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = "attachment; filename=orders.csv";
        await using var writer = new StreamWriter(Response.Body, new System.Text.UTF8Encoding(false));
        await search.WriteCsvAsync(Filter, writer, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>This list's address with the same filters on another page (or as CSV).</summary>
    public string LinkTo(int? page = null, string? handler = null)
    {
        var query = Request.Query.Where(q => q.Key is not ("pageNumber" or "handler")).ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        if (page is { } p)
        {
            query["pageNumber"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (handler is not null)
        {
            query["handler"] = handler;
        }

        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/admin/orders", query);
    }
}
