using Microsoft.Extensions.Options;
using Shop.Web.Common;

namespace Shop.Web.Payments;

/// <summary>The "Stripe" configuration section. Keys come from user-secrets or environment variables, never from the repository.</summary>
public sealed class StripeOptions
{
    public const string SectionName = "Stripe";

    public const string DefaultJsUrl = "https://js.stripe.com/v3";

    /// <summary>sk_test_... or sk_live_... (or a restricted rk_ key). Without keys, outside Production, checkout says no gateway is configured.</summary>
    public string? SecretKey { get; set; }

    /// <summary>pk_test_... or pk_live_..., given to Stripe.js in the browser.</summary>
    public string? PublishableKey { get; set; }

    /// <summary>Where Stripe.net sends API calls; tests and the local emulator replace https://api.stripe.com.</summary>
    public Uri? ApiBase { get; set; }

    /// <summary>Where the payment page loads Stripe.js from; the Content-Security-Policy allows only its origin.</summary>
    public Uri JsUrl { get; set; } = new(DefaultJsUrl);

    /// <summary>Retries Stripe.net makes itself on 409, 5xx and connection errors, with the same Idempotency-Key.</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How long one API request may take before the customer is told to try again.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether PaymentIntents carry the customer's email as receipt_email, so that Stripe emails its own receipts (and refund
    /// receipts) in live mode. Off by default: the shop sends its own, and a customer should get one receipt, not two.
    /// </summary>
    public bool SendReceiptEmails { get; set; }

    /// <summary>Signing secrets (whsec_...) of every endpoint that may deliver here: the Dashboard endpoint's, the Stripe
    /// CLI's, and the old one during a rotation. An event signed with any of them is accepted.</summary>
    public string[] WebhookSecrets { get; set; } = [];

    /// <summary>A single signing secret, for the common one-endpoint case (what scripts/stripe-listen.sh stores).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How old (or how far in the future) a signature's timestamp may be; bounds replays of captured deliveries.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Networks (CIDR, or single addresses) webhooks may come from, such as Stripe's published webhook IP ranges; empty
    /// allows any sender (the signature is the real check). Behind a proxy, set ForwardedHeaders so the client's address is seen.
    /// </summary>
    public string[] WebhookSourceNetworks { get; set; } = [];

    public IReadOnlyList<System.Net.IPNetwork> WebhookSourceAllowList =>
        [.. WebhookSourceNetworks.Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network
            : new System.Net.IPNetwork(System.Net.IPAddress.Parse(n), System.Net.IPAddress.Parse(n).GetAddressBytes().Length * 8))];

    public IReadOnlyList<string> AllWebhookSecrets =>
        WebhookSecrets.Append(WebhookSecret).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim()).Distinct().ToArray();

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey) && !string.IsNullOrWhiteSpace(PublishableKey);

    /// <summary>sk_live_ or rk_live_: the mode Stripe's events must match (their livemode).</summary>
    public bool IsLiveKey => SecretKey is { } key && (key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal));

    /// <summary>
    /// Development, and the test host's "Testing": the only environments that may run without keys, on the local emulator
    /// (offline mode) or with no gateway at all. Any other name (Staging, Production, a typo) must bring real keys, so a
    /// deployment can never end up trusting the emulator's published webhook secret.
    /// </summary>
    public static bool MayRunWithoutKeys(IHostEnvironment environment) => environment.IsLocal();

    public sealed class Validator(IHostEnvironment environment) : IValidateOptions<StripeOptions>
    {
        public ValidateOptionsResult Validate(string? name, StripeOptions options)
        {
            var errors = new List<string>();
            var hasSecret = !string.IsNullOrWhiteSpace(options.SecretKey);
            var hasPublishable = !string.IsNullOrWhiteSpace(options.PublishableKey);

            if (hasSecret && !(options.SecretKey!.StartsWith("sk_", StringComparison.Ordinal) || options.SecretKey.StartsWith("rk_", StringComparison.Ordinal)))
            {
                errors.Add("Stripe:SecretKey must be a secret key starting with sk_ (or a restricted key starting with rk_).");
            }

            if (hasPublishable && !options.PublishableKey!.StartsWith("pk_", StringComparison.Ordinal))
            {
                errors.Add("Stripe:PublishableKey must start with pk_.");
            }

            if (hasSecret != hasPublishable)
            {
                errors.Add(hasSecret
                    ? "Stripe:PublishableKey is missing; it is needed together with Stripe:SecretKey."
                    : "Stripe:SecretKey is missing; it is needed together with Stripe:PublishableKey.");
            }
            else if (!hasSecret && !MayRunWithoutKeys(environment))
            {
                errors.Add($"Stripe:SecretKey and Stripe:PublishableKey are required in {environment.EnvironmentName}. " +
                    "Offline mode (the local Stripe emulator) runs only in Development.");
            }

            if (options.ApiBase is { } apiBase && !IsHttpUrl(apiBase))
            {
                errors.Add("Stripe:ApiBase must be an absolute http(s) URL such as https://api.stripe.com.");
            }

            if (!IsHttpUrl(options.JsUrl))
            {
                errors.Add("Stripe:JsUrl must be an absolute http(s) URL such as https://js.stripe.com/v3.");
            }

            if (options.AllWebhookSecrets.FirstOrDefault(s => !s.StartsWith("whsec_", StringComparison.Ordinal)) is not null)
            {
                errors.Add("Stripe:WebhookSecrets and Stripe:WebhookSecret must be signing secrets starting with whsec_.");
            }

            if (options.AllWebhookSecrets.Count == 0 && !MayRunWithoutKeys(environment))
            {
                errors.Add($"Stripe:WebhookSecrets (or Stripe:WebhookSecret) is required in {environment.EnvironmentName}: without it no webhook can be verified.");
            }

            if (options.WebhookSourceNetworks.FirstOrDefault(n => !System.Net.IPNetwork.TryParse(n, out _) && !System.Net.IPAddress.TryParse(n, out _)) is { } badNetwork)
            {
                errors.Add($"Stripe:WebhookSourceNetworks: \"{badNetwork}\" is not an address or a network in CIDR notation such as 3.18.12.63/32.");
            }

            if (options.WebhookTolerance <= TimeSpan.Zero || options.WebhookTolerance > TimeSpan.FromHours(1))
            {
                errors.Add("Stripe:WebhookTolerance must be greater than zero and at most 01:00:00.");
            }

            if (options.MaxNetworkRetries is < 0 or > 10)
            {
                errors.Add("Stripe:MaxNetworkRetries must be between 0 and 10.");
            }

            if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(2))
            {
                errors.Add("Stripe:RequestTimeout must be a positive time span of at most 00:02:00.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        private static bool IsHttpUrl(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);
    }
}
