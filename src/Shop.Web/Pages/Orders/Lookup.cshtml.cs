using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Orders;

namespace Shop.Web.Pages.Orders;

/// <summary>Email and order number to the order page; rate limited per client address (RateLimiting:OrderLookupPermitLimit).</summary>
public sealed class LookupModel(OrderLookup lookup, IValidator<OrderLookupInput> validator) : PageModel
{
    [BindProperty]
    public OrderLookupInput Input { get; set; } = new();

    public bool NoMatch { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        if (!validation.IsValid)
        {
            foreach (var error in validation.Errors)
            {
                ModelState.AddModelError($"{nameof(Input)}.{error.PropertyName}", error.ErrorMessage);
            }

            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        if (await lookup.FindAsync(Input, cancellationToken) is { } publicId)
        {
            return RedirectToPage("/Orders/Detail", new { publicId });
        }

        // The same page and status whether the number is unknown or the email is wrong.
        NoMatch = true;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
