using System.Net;
using System.Text.Json;
using Shop.Emulator.Stripe;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>A started emulator and a Stripe.net client pointed at it, as the shop configures one.</summary>
public sealed class EmulatorHarness : IAsyncLifetime
{
    public const string SecretKey = "sk_test_emulator";
    public const string PublishableKey = "pk_test_emulator";

    private StripeEmulatorServer? _server;

    public StripeEmulatorServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public StripeClient Client { get; private set; } = null!;

    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };

    public StripeEmulatorOptions Options { get; } = new()
    {
        RetrySchedule = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)],
        WebhookTimeout = TimeSpan.FromSeconds(5),
    };

    public async Task InitializeAsync()
    {
        _server = await StripeEmulatorServer.StartAsync(Options);
        Client = CreateClient(_server.ApiBase);
    }

    public static StripeClient CreateClient(string apiBase, string apiKey = SecretKey) =>
        new(new StripeClientOptions
        {
            ApiKey = apiKey,
            ApiBase = apiBase,
            // No retries: a test must see the emulator's first answer.
            HttpClient = new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(20) }, maxNetworkRetries: 0),
        });

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public Task<PaymentIntent> CreatePaymentIntentAsync(long amount = 2599, string? orderId = "order-1") =>
        Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = "usd",
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
            Metadata = orderId is null ? null : new Dictionary<string, string> { ["order_id"] = orderId },
        });

    /// <summary>Posts form fields as the Stripe.js stand-in does from the browser, with the publishable key.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Json)> BrowserPostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var content = new FormUrlEncodedContent(fields.Append(new("key", PublishableKey)));
        using var response = await Http.PostAsync(new Uri(Server.BaseUrl, path), content);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public Task<(HttpStatusCode Status, JsonElement Json)> ConfirmWithCardAsync(PaymentIntent intent, string number, string returnUrl = "http://127.0.0.1:1/checkout/return") =>
        BrowserPostAsync($"v1/payment_intents/{intent.Id}/confirm",
        [
            new("client_secret", intent.ClientSecret),
            new("payment_method_data[type]", "card"),
            new("payment_method_data[card][number]", number),
            new("payment_method_data[card][exp_month]", "12"),
            new("payment_method_data[card][exp_year]", (DateTime.UtcNow.Year + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("payment_method_data[card][cvc]", "123"),
            new("return_url", returnUrl),
        ]);
}
