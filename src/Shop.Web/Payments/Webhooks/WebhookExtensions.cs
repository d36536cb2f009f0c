namespace Shop.Web.Payments.Webhooks;

public static class WebhookExtensions
{
    public static IHostApplicationBuilder AddStripeWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddControllers();
        builder.Services.AddSingleton<StripeEventApplier>();
        builder.Services.AddSingleton<StripeEventWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StripeEventWriter>());
        return builder;
    }
}
