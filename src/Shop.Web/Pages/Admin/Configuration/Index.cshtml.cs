using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Admin;

namespace Shop.Web.Pages.Admin.Configuration;

public sealed class IndexModel(AdminConfigurationCheck check) : PageModel
{
    public WebhookConfigurationReport Report { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Report = await check.CheckWebhooksAsync(cancellationToken);
}
