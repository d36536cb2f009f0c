using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Shop.Web.Orders;
using Shop.Web.Payments;
using Shop.Web.Common;

namespace Shop.Web.Pages.Orders;

/// <summary>Mounts Stripe's Payment Element for the order's PaymentIntent; card details go from the browser to Stripe only.</summary>
public sealed class PayModel(OrderQueries orders, IOptions<StripeOptions> stripe, IOptions<ShopOptions> shop, IHostEnvironment environment) : PageModel
{
    public Order Order { get; private set; } = null!;

    public string PublishableKey => stripe.Value.PublishableKey ?? "";

    public Uri StripeJsUrl => stripe.Value.JsUrl;

    /// <summary>Where Stripe sends the customer back: Shop:PublicBaseUrl, never the request's Host (the client's to choose);
    /// on a developer's machine the address the page was opened at, as dev servers and test hosts take any port.</summary>
    public string ReturnUrl => environment.IsLocal()
        ? $"{Request.Scheme}://{Request.Host}/orders/{Order.PublicId}"
        : shop.Value.Link($"orders/{Order.PublicId}").AbsoluteUri;

    public async Task<IActionResult> OnGetAsync(string publicId, CancellationToken cancellationToken)
    {
        var order = await orders.FindWithoutLinesAsync(publicId, cancellationToken);
        if (order is null)
        {
            return NotFound();
        }

        if (!order.IsOpenForPayment)
        {
            return Redirect($"/orders/{order.PublicId}");
        }

        if (order.PaymentIntentId is null || order.PaymentIntentAmountIsStale)
        {
            // The PaymentIntent is missing or out of date (a gateway error at checkout): checkout sets it right.
            return RedirectToPage("/Checkout/Index");
        }

        // The page carries the PaymentIntent's client secret: keep it out of shared caches and the back-forward cache.
        Response.Headers.CacheControl = "no-store";
        Order = order;
        return Page();
    }
}
