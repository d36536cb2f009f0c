using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Catalog;

namespace Shop.Web.Pages;

public sealed class IndexModel(CatalogService catalog) : PageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Products = await catalog.ListAsync(cancellationToken);
}
