using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Orders;

public sealed class DetailModel(OrderQueries orders) : PageModel
{
    public Order Order { get; private set; } = null!;

    /// <summary>Stripe.js sent the customer back here, or the payment is processing: the webhook will say how it went.</summary>
    public bool AwaitingConfirmation { get; private set; }

    public string StatusText => Order.Status switch
    {
        OrderStatus.AwaitingPayment => "Awaiting payment",
        _ => Order.Status.ToString(),
    };

    public async Task<IActionResult> OnGetAsync(string publicId, [FromQuery(Name = "redirect_status")] string? redirectStatus, CancellationToken cancellationToken)
    {
        var order = await orders.FindByPublicIdAsync(publicId, cancellationToken);
        if (order is null)
        {
            return NotFound();
        }

        Order = order;
        AwaitingConfirmation = order.Status == OrderStatus.AwaitingPayment && redirectStatus is "succeeded" or "processing";
        return Page();
    }
}
