using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace Shop.Emulator.Tests.Stripe;

public sealed class StandInAndChallengeTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    [Fact]
    public async Task Stripe_js_stand_in_is_served_as_javascript()
    {
        using var response = await emulator.Http.GetAsync(emulator.Server.JsUrl);
        var script = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("window.Stripe = function", script, StringComparison.Ordinal);
        Assert.Contains("'/v3/stripe-emulator.css'", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stand_in_stylesheet_is_served_as_css()
    {
        using var response = await emulator.Http.GetAsync(new Uri(emulator.Server.BaseUrl, "v3/stripe-emulator.css"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("complete", "succeeded", "succeeded", null)]
    [InlineData("fail", "failed", "requires_payment_method", "payment_intent_authentication_failure")]
    public async Task Challenge_page_answer_settles_the_payment_and_returns_to_the_shop(string outcome, string redirectStatus, string intentStatus, string? errorCode)
    {
        var intent = await emulator.CreatePaymentIntentAsync();
        var (_, confirmed) = await emulator.ConfirmWithCardAsync(intent, "4000002500003155", "http://127.0.0.1:5000/checkout/return?order=9");
        var challengeUrl = new Uri(confirmed.GetProperty("next_action").GetProperty("redirect_to_url").GetProperty("url").GetString()!);

        var page = await emulator.Http.GetStringAsync(challengeUrl);
        using var answer = await emulator.Http.PostAsync(new Uri(emulator.Server.BaseUrl, $"3ds/{intent.Id}"), new FormUrlEncodedContent(
            [new("client_secret", intent.ClientSecret), new("outcome", outcome)]));
        var stored = await emulator.Client.V1.PaymentIntents.GetAsync(intent.Id);

        Assert.Contains(">Complete authentication</button>", page, StringComparison.Ordinal);
        Assert.Contains(">Fail authentication</button>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        var location = answer.Headers.Location!;
        Assert.Equal("/checkout/return", location.AbsolutePath);
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("9", query["order"]);
        Assert.Equal(intent.Id, query["payment_intent"]);
        Assert.Equal(intent.ClientSecret, query["payment_intent_client_secret"]);
        Assert.Equal(redirectStatus, query["redirect_status"]);
        Assert.Equal(intentStatus, stored.Status);
        Assert.Equal(errorCode, stored.LastPaymentError?.Code);
    }

    [Fact]
    public async Task Challenge_page_without_the_client_secret_is_not_found()
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        using var response = await emulator.Http.GetAsync(new Uri(emulator.Server.BaseUrl, $"3ds/{intent.Id}?client_secret=wrong"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
