using FluentValidation;

namespace Shop.Web.Orders;

public static class OrdersExtensions
{
    /// <summary>The customer's view of orders: reading one, and looking orders up by email.</summary>
    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OrderQueries>();
        builder.Services.AddScoped<OrderLookup>();
        builder.Services.AddScoped<IValidator<OrderLookupInput>, OrderLookupInputValidator>();
        return builder;
    }
}
