namespace Shop.Web.Payments.Reconciliation;

public static class ReconciliationExtensions
{
    /// <summary>The pull side of payment news: reconciliation of waiting orders and catch-up on missed events.</summary>
    public static IHostApplicationBuilder AddPaymentReconciliation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<StripeAnswers>();
        builder.Services.AddSingleton<StripeFactsReader>();
        builder.Services.AddSingleton<PaymentReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PaymentReconciler>());
        builder.Services.AddSingleton<EventCatchUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EventCatchUp>());
        return builder;
    }
}
