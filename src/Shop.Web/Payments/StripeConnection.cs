using Microsoft.Extensions.Options;
using Stripe;

namespace Shop.Web.Payments;

/// <summary>
/// The shop's one Stripe.net client, built from the "Stripe" options (key, API base, retries, timeout), or none when no
/// keys are configured. Checkout, reconciliation and catch-up all call Stripe through it.
/// </summary>
public sealed class StripeConnection
{
    public const string HttpClientName = "Stripe";

    /// <summary>The API version Stripe.net sends and parses events in; a webhook endpoint should send events in it.</summary>
    public static string ApiVersion => StripeConfiguration.ApiVersion;

    public StripeConnection(IOptions<StripeOptions> options, IHttpClientFactory httpClientFactory)
    {
        var stripe = options.Value;
        if (!stripe.IsConfigured)
        {
            return;
        }

        var httpClient = new SystemNetHttpClient(
            httpClientFactory.CreateClient(HttpClientName),
            maxNetworkRetries: stripe.MaxNetworkRetries,
            appInfo: new AppInfo { Name = "Shop" },
            enableTelemetry: false);
        Client = new StripeClient(new StripeClientOptions
        {
            ApiKey = stripe.SecretKey,
            ApiBase = stripe.ApiBase?.ToString().TrimEnd('/'),
            HttpClient = httpClient,
        });
    }

    /// <summary>Null when Stripe is not configured.</summary>
    public IStripeClient? Client { get; }
}
