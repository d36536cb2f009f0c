using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shop.Web.Pages.Admin;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
