using System.Net;
using Microsoft.AspNetCore.Hosting;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Checkout;

public sealed class CheckoutConfigurationTests
{
    [Fact]
    public async Task A_zero_decimal_currency_is_charged_in_whole_units()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { ["Shop:Currency"] = "jpy" });
        using var session = app.NewSession();
        await session.AddToCartAsync("canvas-tote", 2);

        var cart = await session.GetAsync("/cart");
        var page = await session.CheckoutAsync();

        Assert.Contains("<th id=\"cart-total\">¥7,200</th>", cart.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        var request = Assert.Single(stripe.PaymentIntentCreations);
        Assert.Equal("7200", request.Form["amount"]);
        Assert.Equal("jpy", request.Form["currency"]);
    }

    [Fact]
    public async Task Stripe_net_retries_a_5xx_with_the_same_idempotency_key_so_a_retry_cannot_charge_twice()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { ["Stripe:MaxNetworkRetries"] = "2" });
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");
        stripe.FailWith(HttpStatusCode.ServiceUnavailable);

        var page = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        var attempts = stripe.PaymentIntentCreations;
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.IdempotencyKey).Distinct());
    }

    [Fact]
    public async Task Without_stripe_keys_the_store_works_and_checkout_says_no_gateway_is_configured()
    {
        using var app = new ShopApp();
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");

        var form = await session.GetAsync("/checkout");
        var post = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Contains("id=\"gateway-not-configured\"", form.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.Status);
        await using var db = app.OpenDatabase();
        Assert.Empty(db.Orders);
    }

    [Fact]
    public async Task Checkout_submissions_beyond_the_limit_get_429()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { ["RateLimiting:CheckoutPermitLimit"] = "2" });
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await session.CheckoutAsync()).Status);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
        Assert.Single(stripe.PaymentIntentCreations);
        var catalog = await session.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, catalog.Status);
    }

    [Fact]
    public async Task Pages_send_a_content_security_policy_that_allows_stripe_js_only_from_its_origin()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { ["Stripe:JsUrl"] = "https://js.example.test/v3" });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/");

        var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' https://js.example.test;", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("Stripe:SecretKey", "pk_test_wrong_kind", "Stripe:SecretKey must be a secret key")]
    [InlineData("Stripe:ApiBase", "not a url", "Stripe:ApiBase must be an absolute http(s) URL")]
    [InlineData("Shop:Currency", "dollars", "Shop:Currency must be a three-letter ISO 4217 code")]
    [InlineData("RateLimiting:CheckoutPermitLimit", "0", "RateLimiting:CheckoutPermitLimit must be between 1 and 10000")]
    [InlineData("Smtp:GiveUpAfter", "00:01:00", "Smtp:GiveUpAfter must be at least Smtp:RetryMaxDelay")]
    public void A_bad_configuration_value_stops_start_up_with_a_message_naming_the_key(string key, string value, string message)
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void In_production_the_local_emulator_never_starts_even_when_asked()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?>
        {
            ["OfflineMode:Enabled"] = "true",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = "2525",
            ["Smtp:Security"] = "None",
            ["Smtp:From:Address"] = "shop@example.com",
            ["Shop:PublicBaseUrl"] = "https://shop.example.com",
        });
        using var production = app.WithWebHostBuilder(b => b.UseEnvironment("Production"));

        using var client = production.CreateClient();

        Assert.Null(production.Services.GetService(typeof(Shop.Web.OfflineMode.OfflineModeHost)));
        Assert.False(((Shop.Web.OfflineMode.OfflineModeStatus)production.Services.GetService(typeof(Shop.Web.OfflineMode.OfflineModeStatus))!).IsActive);
    }

    [Fact]
    public void Production_without_stripe_keys_does_not_start()
    {
        using var app = new ShopApp();

        var error = Assert.ThrowsAny<Exception>(() => app.WithWebHostBuilder(b => b.UseEnvironment("Production")).CreateClient());

        Assert.Contains("Stripe:SecretKey and Stripe:PublishableKey are required in Production.", error.ToString(), StringComparison.Ordinal);
    }
}
