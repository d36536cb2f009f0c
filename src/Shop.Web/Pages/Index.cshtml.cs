using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Shop.Web.Catalog;

namespace Shop.Web.Pages;

[OutputCache(PolicyName = CatalogPagesCachePolicy.Name)]
public sealed class IndexModel(CatalogService catalog) : PageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Products = await catalog.ListAsync(cancellationToken);
}
