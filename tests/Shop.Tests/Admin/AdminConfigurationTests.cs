using System.Net;
using Shop.Tests.Infrastructure;
using Shop.Web.Admin;
using Shop.Web.Payments.Events;
using Stripe;

namespace Shop.Tests.Admin;

/// <summary>The configuration page against the Stripe account's webhook endpoints, with WireMock as Stripe.</summary>
public sealed class AdminConfigurationTests : IDisposable
{
    private const string ShopWebhooks = "https://shop.example.com/store/webhooks/stripe";
    private static readonly string[] s_allEvents = ["*"];
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public AdminConfigurationTests() =>
        _app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Shop:PublicBaseUrl"] = "https://shop.example.com/store" });

    [Fact]
    public async Task An_endpoint_on_a_later_page_pointing_at_the_shop_with_its_version_and_events_is_reported_fine()
    {
        _stripe.AnswerWebhookEndpoints(
        [
            StripeStub.WebhookEndpoint("we_other1", "https://other.example.com/hooks", "2024-06-20", s_allEvents),
            StripeStub.WebhookEndpoint("we_other2", "https://crm.example.com/stripe", null, ["customer.created"]),
            StripeStub.WebhookEndpoint("we_shop", ShopWebhooks, StripeConfiguration.ApiVersion, s_allEvents),
        ], pageSize: 2);

        var page = await ConfigurationPageAsync();

        Assert.Contains("id=\"configuration-ok\"", page, StringComparison.Ordinal);
        Assert.Contains("<code>we_shop</code>", page, StringComparison.Ordinal);
        Assert.Contains("https://other.example.com/hooks", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"warnings\"", page, StringComparison.Ordinal);
        Assert.Equal(2, _stripe.WebhookEndpointListings);
    }

    [Fact]
    public async Task An_endpoint_in_another_api_version_is_warned_about_naming_both_versions()
    {
        _stripe.AnswerWebhookEndpoints([StripeStub.WebhookEndpoint("we_shop", ShopWebhooks, "2024-06-20.acacia", s_allEvents)]);

        var page = await ConfigurationPageAsync();

        Assert.Equal(
            [$"Endpoint we_shop sends events in API version 2024-06-20.acacia, but the shop parses {StripeConfiguration.ApiVersion} (Stripe.net's version). Events will arrive shaped by 2024-06-20.acacia; the shop reads only fields that have kept their names, but set the endpoint's API version to {StripeConfiguration.ApiVersion}."],
            Warnings(page));
    }

    [Fact]
    public async Task An_endpoint_missing_events_the_shop_handles_is_warned_about_naming_them()
    {
        var enabled = StripeEvent.RecommendedTypes.Except(["charge.refunded", "charge.dispute.created"]).Append("customer.created");
        _stripe.AnswerWebhookEndpoints([StripeStub.WebhookEndpoint("we_shop", ShopWebhooks, StripeConfiguration.ApiVersion, enabled)]);

        var page = await ConfigurationPageAsync();

        Assert.Equal(
            ["Endpoint we_shop does not send charge.dispute.created, charge.refunded: the shop handles these, and without them it learns of those changes only when reconciliation asks. Add them to the endpoint."],
            Warnings(page));
    }

    [Fact]
    public async Task A_disabled_endpoint_is_warned_about()
    {
        _stripe.AnswerWebhookEndpoints([StripeStub.WebhookEndpoint("we_shop", ShopWebhooks, StripeConfiguration.ApiVersion, s_allEvents, status: "disabled")]);

        var page = await ConfigurationPageAsync();

        Assert.Equal(["Endpoint we_shop is disabled: Stripe sends it nothing until it is enabled again."], Warnings(page));
    }

    [Fact]
    public async Task Without_an_endpoint_pointing_at_the_shop_the_warning_lists_where_the_others_point()
    {
        _stripe.AnswerWebhookEndpoints(
        [
            StripeStub.WebhookEndpoint("we_typo", "https://shop.example.com/store/webhook/stripe", StripeConfiguration.ApiVersion, s_allEvents),
            StripeStub.WebhookEndpoint("we_host", "https://shp.example.com/store/webhooks/stripe", StripeConfiguration.ApiVersion, s_allEvents),
        ]);

        var page = await ConfigurationPageAsync();

        Assert.Equal(
            [$"No webhook endpoint in this Stripe account points at {ShopWebhooks}: Stripe sends this shop no events, so payments are confirmed only when reconciliation asks. The account's endpoints point at: https://shop.example.com/store/webhook/stripe, https://shp.example.com/store/webhooks/stripe."],
            Warnings(page));
        Assert.DoesNotContain("id=\"endpoints\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stripe_error_is_shown_in_plain_words_with_stripe_request_id_and_ready_never_asks_stripe()
    {
        _stripe.FailWebhookEndpoints(HttpStatusCode.Unauthorized, "invalid_request_error", "Invalid API Key provided: sk_test_****************ests");

        var page = await ConfigurationPageAsync();
        using var ready = await _app.CreateClient().GetAsync("/health/ready");

        Assert.Contains("Stripe refused to list the webhook endpoints: Invalid API Key provided: sk_test_****************ests (Stripe request req_stub).",
            WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Equal(1, _stripe.WebhookEndpointListings);
    }

    [Fact]
    public async Task Without_stripe_keys_the_page_says_so()
    {
        using var app = new ShopApp();
        await app.CreateAdminAsync();
        using var admin = await AdminUsers.AdminSessionAsync(app);

        var page = await admin.GetAsync("/admin/configuration");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Stripe is not configured (no Stripe:SecretKey and Stripe:PublishableKey), so there are no webhook endpoints to check.", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_offline_mode_the_emulators_endpoint_for_the_shop_is_reported_fine()
    {
        await using var shop = OfflineShop.Start();
        using var admin = shop.NewSession();
        await admin.SignInAsync(OfflineAdmin.Email, shop.AdminPassword);

        var page = await admin.GetAsync("/admin/configuration");

        Assert.Contains("id=\"configuration-ok\"", page.Html, StringComparison.Ordinal);
        Assert.Contains($"{shop.Url.GetLeftPart(UriPartial.Authority).Replace("localhost", "127.0.0.1", StringComparison.Ordinal)}/webhooks/stripe", page.Html, StringComparison.Ordinal);
    }

    private async Task<string> ConfigurationPageAsync()
    {
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();
        var page = await admin.GetAsync("/admin/configuration");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Html;
    }

    /// <summary>The warnings as the admin reads them.</summary>
    private static List<string> Warnings(string html) =>
        [.. System.Text.RegularExpressions.Regex.Matches(html, "<ul class=\"error\" id=\"warnings\">([\\s\\S]*?)</ul>").SelectMany(list =>
            System.Text.RegularExpressions.Regex.Matches(list.Groups[1].Value, "<li>([\\s\\S]*?)</li>").Select(item => WebUtility.HtmlDecode(item.Groups[1].Value)))];

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
