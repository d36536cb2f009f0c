using Microsoft.Extensions.Options;

namespace Shop.Web.Payments;

public static class PaymentsExtensions
{
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StripeOptions>().BindConfiguration(StripeOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StripeOptions>, StripeOptions.Validator>();

        builder.Services.AddHttpClient(StripeConnection.HttpClientName, (services, http) =>
            http.Timeout = services.GetRequiredService<IOptions<StripeOptions>>().Value.RequestTimeout);
        builder.Services.AddSingleton<StripeConnection>();
        builder.Services.AddSingleton<PaymentGateway>();
        builder.Services.AddSingleton<RefundGateway>();
        builder.Services.AddSingleton<WebhookEndpointGateway>();
        return builder;
    }
}
