using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Shop.Web.Carts;
using Shop.Web.Checkout;
using Shop.Web.Common;
using Shop.Web.Payments;

namespace Shop.Web.Pages.Checkout;

public sealed class IndexModel(
    CartService carts, CheckoutService checkout, PaymentGateway gateway, IValidator<CheckoutInput> validator, IOptions<ShopOptions> shop)
    : PageModel
{
    [BindProperty]
    public CheckoutInput Input { get; set; } = new();

    public Carts.Cart? Cart { get; private set; }

    public Money Total => Cart?.Total(shop.Value.Currency) ?? Money.Zero(shop.Value.Currency);

    public bool GatewayConfigured => gateway.IsConfigured;

    public string? ErrorMessage { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Cart = await carts.FindAsync(CartCookie.Read(Request), cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        if (!validation.IsValid)
        {
            foreach (var error in validation.Errors)
            {
                ModelState.AddModelError($"{nameof(Input)}.{error.PropertyName}", error.ErrorMessage);
            }

            return await ShowAsync(StatusCodes.Status422UnprocessableEntity, null, cancellationToken);
        }

        var outcome = await checkout.PlaceOrderAsync(CartCookie.Read(Request), Input.ToCustomerDetails(), cancellationToken);
        return outcome.Status switch
        {
            CheckoutStatus.ReadyToPay => Redirect($"/orders/{outcome.OrderPublicId}/pay"),
            CheckoutStatus.EmptyCart => RedirectToPage("/Cart/Index"),
            CheckoutStatus.GatewayNotConfigured => await ShowAsync(StatusCodes.Status503ServiceUnavailable, null, cancellationToken),
            _ => await ShowAsync(
                outcome.Failure!.Kind == GatewayFailureKind.CardError ? StatusCodes.Status402PaymentRequired : StatusCodes.Status503ServiceUnavailable,
                outcome.Failure.CustomerMessage,
                cancellationToken),
        };
    }

    /// <summary>Shows the form again with what was typed, the errors and the cart.</summary>
    private async Task<IActionResult> ShowAsync(int statusCode, string? errorMessage, CancellationToken cancellationToken)
    {
        Response.StatusCode = statusCode;
        ErrorMessage = errorMessage;
        Cart = await carts.FindAsync(CartCookie.Read(Request), cancellationToken);
        return Page();
    }
}
