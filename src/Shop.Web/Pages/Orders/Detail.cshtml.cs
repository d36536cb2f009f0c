using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.OfflineMode;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Orders;

public sealed class DetailModel(OrderQueries orders, OfflineModeStatus offline) : PageModel
{
    public Order Order { get; private set; } = null!;

    /// <summary>The payment timeline, for the developer in offline mode only: it names Stripe objects and admins.</summary>
    public IReadOnlyList<OrderTimelineEntry> DeveloperTimeline { get; private set; } = [];

    /// <summary>Stripe.js sent the customer back here, or the payment is processing: the webhook will say how it went.</summary>
    public bool AwaitingConfirmation { get; private set; }

    public string StatusText => CustomerOrderText.Status(Order.Status);

    public string NextStep => CustomerOrderText.NextStep(Order.Status);

    public async Task<IActionResult> OnGetAsync(string publicId, [FromQuery(Name = "redirect_status")] string? redirectStatus, CancellationToken cancellationToken)
    {
        var order = await orders.FindByPublicIdAsync(publicId, cancellationToken);
        if (order is null)
        {
            return NotFound();
        }

        Order = order;
        // Anyone holding the link (it travels in emails) sees this page: the timeline stays in the admin area.
        DeveloperTimeline = offline.IsActive ? await orders.TimelineAsync(order.Id, cancellationToken) : [];
        // Back from Stripe.js after a new attempt (also one after an earlier decline): the webhook is on its way.
        AwaitingConfirmation = order.Status == OrderStatus.Processing
            || (order.IsOpenForPayment && redirectStatus is "succeeded" or "processing");
        return Page();
    }
}
