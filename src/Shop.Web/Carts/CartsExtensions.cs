namespace Shop.Web.Carts;

public static class CartsExtensions
{
    /// <summary>The visitor's cart, kept in the database under the id in its cookie.</summary>
    public static IHostApplicationBuilder AddCart(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CartService>();
        return builder;
    }
}
