namespace Shop.Web.Payments.Events;

public static class EventsExtensions
{
    /// <summary>The payment-event core: the applier and the single writer every inbound adapter feeds.</summary>
    public static IHostApplicationBuilder AddPaymentEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StripeEventApplier>();
        builder.Services.AddSingleton<StripeEventWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StripeEventWriter>());
        return builder;
    }
}
