using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Security;

/// <summary>What changes once the shop runs anywhere but a developer's machine ("Staging" here): cookies, return URLs.</summary>
public sealed class DeploymentTests : IDisposable
{
    private readonly StripeStub _stripe = new();

    [Fact]
    public async Task Outside_development_the_cart_and_antiforgery_cookies_are_host_prefixed_and_secure()
    {
        using var app = Staging(new() { ["Shop:PublicBaseUrl"] = "https://shop.example.com" }, out var staging);
        using var session = NewSession(staging);

        using var product = await session.Client.GetAsync("/products/brass-pen");
        var page = await session.AddToCartAsync("brass-pen");

        var antiforgery = Assert.Single(product.Headers.GetValues("Set-Cookie"), c => c.Contains("antiforgery", StringComparison.Ordinal));
        Assert.StartsWith("__Host-shop_antiforgery=", antiforgery, StringComparison.Ordinal);
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        var cart = await session.Client.GetAsync("/cart");
        Assert.Contains("brass", await cart.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Outside_development_the_cart_cookie_is_set_with_the_host_prefix_secure_and_the_cart_lifetime()
    {
        using var app = Staging(new() { ["Shop:PublicBaseUrl"] = "https://shop.example.com", ["Shop:CartLifetime"] = "2.00:00:00" }, out var staging);
        using var session = NewSession(staging);
        var form = await session.GetAsync("/products/brass-pen");
        using var content = new FormUrlEncodedContent([new("productId", form.ProductId), new("quantity", "1"), new("__RequestVerificationToken", form.AntiforgeryToken!)]);

        using var response = await session.Client.PostAsync("/cart?handler=Add", content);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.Contains("shop_cart", StringComparison.Ordinal));
        Assert.StartsWith("__Host-shop_cart=", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.Contains("max-age=172800", cookie, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://shop.example.com", "__Host-shop-admin=", true)]
    [InlineData("http://127.0.0.1:8080", "shop-admin=", false)]
    public async Task The_admin_sign_in_cookie_follows_the_same_rule_as_the_other_cookies(string publicBaseUrl, string name, bool secure)
    {
        using var app = Staging(new() { ["Shop:PublicBaseUrl"] = publicBaseUrl }, out var staging);
        await staging.CreateAdminAsync();
        using var session = NewSession(staging, new Uri(publicBaseUrl));

        var signedIn = await session.SignInAsync();
        var admin = await session.GetAsync("/admin");

        var cookie = Assert.Single(signedIn.SetCookies, c => c.Contains("shop-admin=", StringComparison.Ordinal));
        Assert.StartsWith(name, cookie, StringComparison.Ordinal);
        Assert.Equal(secure, cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admin.Status);
    }

    [Fact]
    public async Task Outside_development_the_return_url_comes_from_the_public_base_url_not_the_requests_host()
    {
        using var app = Staging(new() { ["Shop:PublicBaseUrl"] = "https://shop.example.com/store" }, out var staging);
        using var session = NewSession(staging);
        await session.AddToCartAsync("brass-pen");
        var checkout = await session.CheckoutAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, checkout.Location);
        request.Headers.Host = "attacker.example";

        using var pay = await session.Client.SendAsync(request);

        var html = await pay.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Contains($"data-return-url=\"https://shop.example.com/store/orders/{checkout.OrderPublicId}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_start_up_fails_without_a_public_base_url()
    {
        using var app = new ShopApp(_stripe);

        var error = Assert.ThrowsAny<Exception>(() => app.WithWebHostBuilder(b => b.UseEnvironment("Staging")).CreateClient());

        Assert.Contains("Shop:PublicBaseUrl is required in Staging", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cart_left_untouched_longer_than_the_cart_lifetime_is_gone()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:CartLifetime"] = "30.00:00:00" },
            testServices: services => services.AddSingleton<TimeProvider>(clock));
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");
        clock.Advance(TimeSpan.FromDays(29));
        var kept = await session.GetAsync("/cart");

        clock.Advance(TimeSpan.FromDays(2));
        var expired = await session.GetAsync("/cart");

        Assert.DoesNotContain("Your cart is empty", kept.Html, StringComparison.Ordinal);
        Assert.Contains("Your cart is empty", expired.Html, StringComparison.Ordinal);
    }

    private ShopApp Staging(Dictionary<string, string?> settings, out WebApplicationFactory<Program> staging)
    {
        var app = new ShopApp(_stripe, settings);
        staging = app.WithWebHostBuilder(b => b.UseEnvironment("Staging"));
        return app;
    }

    private static ShopSession NewSession(WebApplicationFactory<Program> app, Uri? address = null) =>
        new(app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = address ?? new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true }));

    public void Dispose() => _stripe.Dispose();
}
