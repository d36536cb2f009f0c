using FluentValidation;
using Shop.Web.Carts;
using Shop.Web.Orders;

namespace Shop.Web.Checkout;

public static class CheckoutExtensions
{
    /// <summary>The storefront: cart and checkout (the catalog registers itself: AddCatalog).</summary>
    public static IHostApplicationBuilder AddStorefront(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CartService>();
        builder.Services.AddScoped<CheckoutService>();
        builder.Services.AddScoped<OrderQueries>();
        builder.Services.AddScoped<OrderLookup>();
        builder.Services.AddScoped<IValidator<OrderLookupInput>, OrderLookupInputValidator>();
        builder.Services.AddScoped<IValidator<CheckoutInput>, CheckoutInputValidator>();
        return builder;
    }
}
