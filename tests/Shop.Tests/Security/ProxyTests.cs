using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Security;

/// <summary>The shop behind a reverse proxy on 127.0.0.1, over a real socket: whose X-Forwarded-For it believes.</summary>
public sealed class ProxyTests : IDisposable
{
    private readonly StripeStub _stripe = new();

    [Fact]
    public async Task Behind_a_configured_proxy_two_clients_get_separate_rate_limit_partitions()
    {
        using var app = Start(new() { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });
        using var first = await ClientWithCartAsync(app, "203.0.113.5");
        using var second = await ClientWithCartAsync(app, "203.0.113.6");

        var firstCheckout = await first.CheckoutAsync();
        var secondCheckout = await second.CheckoutAsync();
        var firstAgain = await first.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, firstCheckout.Status);
        Assert.Equal(HttpStatusCode.Redirect, secondCheckout.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, firstAgain.Status);
    }

    [Fact]
    public async Task Without_a_configured_proxy_forwarded_addresses_are_ignored_and_clients_share_the_senders_partition()
    {
        using var app = Start([]);
        using var first = await ClientWithCartAsync(app, "203.0.113.5");
        using var second = await ClientWithCartAsync(app, "203.0.113.6");

        var firstCheckout = await first.CheckoutAsync();
        var secondCheckout = await second.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, firstCheckout.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, secondCheckout.Status);
    }

    [Theory]
    [InlineData("10.0.0.0/8", HttpStatusCode.Forbidden)]
    [InlineData("203.0.113.0/24", HttpStatusCode.OK)]
    public async Task Webhooks_are_accepted_only_from_the_configured_source_networks(string network, HttpStatusCode expected)
    {
        using var app = Start(new()
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Stripe:WebhookSourceNetworks:0"] = network,
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await StripeWebhooks.PostAsync(client, StripeWebhooks.Event("payment_intent.succeeded", "pi_unknown_to_the_shop", 100));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Health_details_go_to_a_probe_on_this_machine_and_not_to_a_client_behind_the_proxy()
    {
        using var app = Start(new() { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });
        using var local = app.CreateClient();
        using var proxied = app.CreateClient();
        proxied.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        var localReport = await local.GetStringAsync("/health/ready");
        var proxiedReport = await proxied.GetStringAsync("/health/ready");

        Assert.Contains("\"pendingMigrations\"", localReport, StringComparison.Ordinal);
        Assert.DoesNotContain("pendingMigrations", proxiedReport, StringComparison.Ordinal);
        Assert.Contains("\"database\"", proxiedReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_proxy_the_shop_was_not_told_about_a_forwarded_request_gets_no_health_details()
    {
        using var app = Start([]);
        using var proxied = app.CreateClient();
        proxied.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        var report = await proxied.GetStringAsync("/health/ready");

        Assert.DoesNotContain("pendingMigrations", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_sign_in_is_throttled_per_client_address_before_the_account_is_locked()
    {
        using var app = Start(new()
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["RateLimiting:LoginPermitLimit"] = "2",
        });
        await app.CreateAdminAsync();
        using var guesser = Client(app, "203.0.113.5");
        using var admin = Client(app, "203.0.113.6");

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            guesses.Add((await guesser.SignInAsync(password: "wrong password " + i)).Status);
        }

        var signedIn = await admin.SignInAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], guesses);
        Assert.Equal("/admin", signedIn.Location?.OriginalString);
    }

    private ShopApp Start(Dictionary<string, string?> settings)
    {
        settings["RateLimiting:CheckoutPermitLimit"] = "1";
        // A 503 from a slow Stripe stub on a loaded machine would read as a rate-limit result: these tests are not about timeouts.
        settings["Stripe:RequestTimeout"] = "00:00:30";
        var app = new ShopApp(_stripe, settings);
        // Port 0 through Listen: UseKestrel(0) leaves the port unset and Kestrel falls back to 5000.
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        app.ClientOptions.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return app;
    }

    private static async Task<ShopSession> ClientWithCartAsync(ShopApp app, string clientAddress)
    {
        var session = Client(app, clientAddress);
        await session.AddToCartAsync("brass-pen");
        return session;
    }

    /// <summary>A client of the real socket, like a browser behind the proxy: its own cookies, no redirects followed.</summary>
    private static ShopSession Client(ShopApp app, string clientAddress)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.ClientOptions.BaseAddress,
        };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        return new ShopSession(client);
    }

    public void Dispose() => _stripe.Dispose();
}
