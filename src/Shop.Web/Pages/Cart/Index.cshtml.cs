using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Shop.Web.Carts;
using Shop.Web.Common;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Cart;

public sealed class IndexModel(CartService carts, IOptions<ShopOptions> shop) : PageModel
{
    public Carts.Cart? Cart { get; private set; }

    /// <summary>The order last paid from this cart, linked above whatever the cart holds now.</summary>
    public Order? PaidOrder { get; private set; }

    public Money Total => Cart?.Total(shop.Value.Currency) ?? Money.Zero(shop.Value.Currency);

    public string? ErrorMessage { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(int productId, int quantity, CancellationToken cancellationToken)
    {
        var result = await carts.AddAsync(CartCookie.Read(Request), productId, quantity, cancellationToken);
        if (result.NewCartId is { } cartId)
        {
            CartCookie.Write(Response, cartId);
        }

        return await RespondAsync(result.Change, cancellationToken);
    }

    public async Task<IActionResult> OnPostUpdateAsync(int productId, int quantity, CancellationToken cancellationToken) =>
        await RespondAsync(await carts.SetQuantityAsync(CartCookie.Read(Request), productId, quantity, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostRemoveAsync(int productId, CancellationToken cancellationToken) =>
        await RespondAsync(await carts.RemoveAsync(CartCookie.Read(Request), productId, cancellationToken), cancellationToken);

    private async Task<IActionResult> RespondAsync(CartChange change, CancellationToken cancellationToken)
    {
        if (change == CartChange.Done)
        {
            // Post/redirect/get: a reload of the cart page never repeats the change.
            return RedirectToPage();
        }

        (Response.StatusCode, ErrorMessage) = change switch
        {
            CartChange.InvalidQuantity => (StatusCodes.Status400BadRequest, $"Quantity must be a whole number from 1 to {Carts.Cart.MaxQuantity}."),
            _ => (StatusCodes.Status404NotFound, "That product is not in the catalog or not in your cart."),
        };
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Cart = await carts.FindAsync(CartCookie.Read(Request), cancellationToken);
        PaidOrder = Cart is null ? null : await carts.FindPaidOrderAsync(Cart, cancellationToken);
    }
}
