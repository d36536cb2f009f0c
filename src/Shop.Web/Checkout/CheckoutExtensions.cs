using FluentValidation;

namespace Shop.Web.Checkout;

public static class CheckoutExtensions
{
    /// <summary>Checkout: the form's validation and the order it places with its PaymentIntent.</summary>
    public static IHostApplicationBuilder AddCheckout(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CheckoutService>();
        builder.Services.AddScoped<IValidator<CheckoutInput>, CheckoutInputValidator>();
        return builder;
    }
}
