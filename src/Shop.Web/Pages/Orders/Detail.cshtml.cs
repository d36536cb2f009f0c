using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Orders;

public sealed class DetailModel(OrderQueries orders) : PageModel
{
    public Order Order { get; private set; } = null!;

    public IReadOnlyList<OrderTimelineEntry> Timeline { get; private set; } = [];

    /// <summary>Stripe.js sent the customer back here, or the payment is processing: the webhook will say how it went.</summary>
    public bool AwaitingConfirmation { get; private set; }

    public string StatusText => Order.Status switch
    {
        OrderStatus.AwaitingPayment => "Awaiting payment",
        OrderStatus.PaymentFailed => "Payment failed",
        OrderStatus.PartiallyRefunded => "Partially refunded",
        OrderStatus.DisputeLost => "Dispute lost",
        OrderStatus.DisputeWon => "Dispute won",
        OrderStatus.NeedsReview => "Needs review",
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
        Timeline = await orders.TimelineAsync(order.Id, cancellationToken);
        // Back from Stripe.js after a new attempt (also one after an earlier decline): the webhook is on its way.
        AwaitingConfirmation = order.Status == OrderStatus.Processing
            || (order.IsOpenForPayment && redirectStatus is "succeeded" or "processing");
        return Page();
    }
}
