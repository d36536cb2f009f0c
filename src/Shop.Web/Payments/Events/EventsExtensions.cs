namespace Shop.Web.Payments.Events;

public static class EventsExtensions
{
    /// <summary>The payment-event core: the applier and the single writer every inbound adapter feeds.</summary>
    public static IHostApplicationBuilder AddPaymentEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StripeEventApplier>();
        // Transient: each user (the writer, a test) gets its own, since it keeps one connection for one caller.
        builder.Services.AddTransient<StripeEventCommitter>();
        builder.Services.AddSingleton<StripeEventWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StripeEventWriter>());
        return builder;
    }
}
