using Shop.Web.Payments.Reconciliation;

namespace Shop.Web.Payments.Webhooks;

public static class WebhookExtensions
{
    public static IHostApplicationBuilder AddStripeWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddControllers();
        builder.Services.AddSingleton<StripeEventApplier>();
        builder.Services.AddSingleton<StripeEventWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StripeEventWriter>());

        builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PaymentReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PaymentReconciler>());
        return builder;
    }
}
