namespace Shop.Web.Payments.Webhooks;

public static class WebhookExtensions
{
    /// <summary>The push side of payment news: Stripe's signed webhooks at POST /webhooks/stripe.</summary>
    public static IHostApplicationBuilder AddStripeWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddControllers();
        return builder;
    }
}
