using System.Net;
using System.Text.Json;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class TestCardTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline", "Your card was declined.")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds.")]
    public async Task Declined_payment_method_is_a_card_error_and_leaves_the_intent_retryable(string paymentMethod, string declineCode, string message)
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        var error = await Assert.ThrowsAsync<StripeException>(() =>
            emulator.Client.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = paymentMethod }));
        var afterDecline = await emulator.Client.V1.PaymentIntents.GetAsync(intent.Id);
        var retried = await emulator.Client.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });

        Assert.Equal(HttpStatusCode.PaymentRequired, error.HttpStatusCode);
        Assert.Equal("card_error", error.StripeError.Type);
        Assert.Equal("card_declined", error.StripeError.Code);
        Assert.Equal(declineCode, error.StripeError.DeclineCode);
        Assert.Equal(message, error.StripeError.Message);
        Assert.Equal(intent.Id, error.StripeError.PaymentIntent.Id);
        Assert.Equal("requires_payment_method", afterDecline.Status);
        Assert.Equal(declineCode, afterDecline.LastPaymentError.DeclineCode);
        Assert.StartsWith("pm_", afterDecline.LastPaymentError.PaymentMethod.Id, StringComparison.Ordinal);
        Assert.Null(afterDecline.PaymentMethodId);
        Assert.Equal("succeeded", retried.Status);
        Assert.Null(retried.LastPaymentError);
    }

    [Theory]
    [InlineData("pm_card_authenticationRequired")]
    [InlineData("pm_card_threeDSecure2Required")]
    public async Task Authentication_required_payment_method_asks_for_a_redirect(string paymentMethod)
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        var confirmed = await emulator.Client.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions
        {
            PaymentMethod = paymentMethod,
            ReturnUrl = "https://shop.example/checkout/return",
        });

        Assert.Equal("requires_action", confirmed.Status);
        Assert.Equal("redirect_to_url", confirmed.NextAction.Type);
        Assert.Equal("https://shop.example/checkout/return", confirmed.NextAction.RedirectToUrl.ReturnUrl);
        Assert.StartsWith(new Uri(emulator.Server.BaseUrl, "3ds/" + intent.Id).ToString(), confirmed.NextAction.RedirectToUrl.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4242424242424242", HttpStatusCode.OK, "succeeded", null)]
    [InlineData("4000000000000002", HttpStatusCode.PaymentRequired, "requires_payment_method", "generic_decline")]
    [InlineData("4000000000009995", HttpStatusCode.PaymentRequired, "requires_payment_method", "insufficient_funds")]
    [InlineData("4000002500003155", HttpStatusCode.OK, "requires_action", null)]
    public async Task Card_number_from_the_browser_has_its_documented_outcome(string number, HttpStatusCode expectedStatus, string intentStatus, string? declineCode)
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        var (status, json) = await emulator.ConfirmWithCardAsync(intent, number);
        var stored = await emulator.Client.V1.PaymentIntents.GetAsync(intent.Id);

        Assert.Equal(expectedStatus, status);
        Assert.Equal(intentStatus, stored.Status);
        if (declineCode is null)
        {
            Assert.Equal(intentStatus, json.GetProperty("status").GetString());
            Assert.False(json.TryGetProperty("metadata", out _), "a publishable key does not see metadata");
        }
        else
        {
            var error = json.GetProperty("error");
            Assert.Equal("card_error", error.GetProperty("type").GetString());
            Assert.Equal("card_declined", error.GetProperty("code").GetString());
            Assert.Equal(declineCode, error.GetProperty("decline_code").GetString());
        }
    }

    [Fact]
    public async Task Browser_confirm_with_a_wrong_client_secret_is_rejected()
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        var (status, json) = await emulator.BrowserPostAsync($"v1/payment_intents/{intent.Id}/confirm",
            [new("client_secret", intent.Id + "_secret_wrong"), new("payment_method", "pm_card_visa")]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("client_secret", json.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Publishable_key_cannot_create_payment_intents()
    {
        var client = EmulatorHarness.CreateClient(emulator.Server.ApiBase, EmulatorHarness.PublishableKey);

        var error = await Assert.ThrowsAsync<StripeException>(() =>
            client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd" }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
    }

    [Fact]
    public async Task Browser_retrieve_with_client_secret_returns_the_intent()
    {
        var intent = await emulator.CreatePaymentIntentAsync();

        using var response = await emulator.Http.GetAsync(new Uri(emulator.Server.BaseUrl,
            $"v1/payment_intents/{intent.Id}?key={EmulatorHarness.PublishableKey}&client_secret={intent.ClientSecret}"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(intent.Id, json.GetProperty("id").GetString());
        Assert.Equal("requires_payment_method", json.GetProperty("status").GetString());
    }
}
