using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Shop.Web.Catalog;

namespace Shop.Web.Pages.Products;

[OutputCache(PolicyName = CatalogPagesCachePolicy.Name)]
public sealed class DetailModel(CatalogService catalog) : PageModel
{
    public Product Product { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        var product = await catalog.FindBySlugAsync(slug, cancellationToken);
        if (product is null)
        {
            return NotFound();
        }

        Product = product;
        return Page();
    }
}
