using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Admin;

namespace Shop.Web.Pages.Admin.Disputes;

public sealed class IndexModel(AdminDisputes disputes) : PageModel
{
    public IReadOnlyList<OpenDispute> Open { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Open = await disputes.OpenAsync(cancellationToken);
}
