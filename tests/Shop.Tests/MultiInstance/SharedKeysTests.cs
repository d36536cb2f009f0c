using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Page = Shop.Tests.Infrastructure.ShopSession.Page;

namespace Shop.Tests.MultiInstance;

/// <summary>
/// Two instances on one database as two machines would run them: the first in this process, the second a process with
/// a home folder of its own, so each would keep data-protection keys of its own unless the database shares them.
/// One visitor's cookie jar (cookies go by host, not port), each form rendered by one instance and posted to the other.
/// </summary>
public sealed class SharedKeysTests
{
    [PostgreSqlFact]
    public async Task Forms_and_cookies_of_one_instance_are_accepted_by_another_with_its_own_home_folder()
    {
        using var stripe = new StripeStub();
        using var database = TestDatabase.Create();
        var settings = new Dictionary<string, string?>(database.Settings)
        {
            ["Shop:Currency"] = "usd",
            ["OfflineMode:Enabled"] = "false",
            ["Reconciliation:Enabled"] = "false",
            ["Stripe:SecretKey"] = "sk_test_fake_key_for_tests",
            ["Stripe:PublishableKey"] = "pk_test_fake_key_for_tests",
            ["Stripe:ApiBase"] = stripe.Url,
            ["Stripe:WebhookSecrets:0"] = StripeWebhooks.Secret,
        };
        using var first = new ShopApp(stripe, settings, database);
        first.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        first.StartServer();
        await first.CreateAdminAsync();
        var a = new Uri(first.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        await using var second = await ShopProcess.StartAsync(settings);
        var b = second.Url;
        using var visitor = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

        var product = await GetAsync(visitor, a, "/products/canvas-tote");
        var added = await PostAsync(visitor, b, "/cart?handler=Add", product, [new("productId", product.ProductId), new("quantity", "1")]);
        var cart = await GetAsync(visitor, a, "/cart");
        var checkout = await GetAsync(visitor, b, "/checkout");
        var placed = await PostAsync(visitor, a, "/checkout", checkout, ShopSession.Customer);
        var login = await GetAsync(visitor, a, "/admin/login");
        var signedIn = await PostAsync(visitor, b, "/admin/login", login,
            [new("Input.Email", AdminUsers.Email), new("Input.Password", AdminUsers.Password)]);
        var orders = await GetAsync(visitor, a, "/admin/orders");

        Assert.True(added.Status == HttpStatusCode.Redirect, $"Add to cart on the second instance answered {(int)added.Status}. Its log:\n{second.Log}");
        Assert.Contains("Canvas tote", cart.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, placed.Status);
        Assert.Equal("/admin", signedIn.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, orders.Status);
        Assert.Contains(placed.OrderPublicId, orders.Html, StringComparison.Ordinal);
    }

    private static async Task<Page> GetAsync(HttpClient visitor, Uri instance, string path)
    {
        using var response = await visitor.GetAsync(new Uri(instance, path));
        return await Page.ReadAsync(response);
    }

    private static async Task<Page> PostAsync(HttpClient visitor, Uri instance, string path, Page form, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var token = form.AntiforgeryToken ?? throw new InvalidOperationException($"The form for {path} has no antiforgery token.");
        using var content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token)));
        using var response = await visitor.PostAsync(new Uri(instance, path), content);
        return await Page.ReadAsync(response);
    }
}
