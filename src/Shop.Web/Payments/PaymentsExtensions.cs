using Microsoft.Extensions.Options;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;
using Shop.Web.Payments.Webhooks;
using Shop.Web.Security;

namespace Shop.Web.Payments;

public static class PaymentsExtensions
{
    /// <summary>Everything that talks to Stripe: the gateways, the event core, the webhook and reconciliation.</summary>
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
        builder.Services.AddSingleton<IConfigureOptions<ContentSecuritySources>, StripeContentSecurity>();
        return builder.AddPaymentEvents().AddStripeWebhooks().AddPaymentReconciliation();
    }
}
