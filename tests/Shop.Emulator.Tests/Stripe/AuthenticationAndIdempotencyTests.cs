using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class AuthenticationAndIdempotencyTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    private static PaymentIntentCreateOptions Order(long amount) => new()
    {
        Amount = amount,
        Currency = "usd",
        Metadata = new Dictionary<string, string> { ["order_id"] = "order-99" },
    };

    [Fact]
    public async Task Same_idempotency_key_and_parameters_replay_the_same_payment_intent()
    {
        var options = new RequestOptions { IdempotencyKey = "checkout-order-99-" + Guid.NewGuid() };

        var first = await emulator.Client.V1.PaymentIntents.CreateAsync(Order(2500), options);
        var second = await emulator.Client.V1.PaymentIntents.CreateAsync(Order(2500), options);
        var all = await emulator.Client.V1.PaymentIntents.ListAsync(new PaymentIntentListOptions { Limit = 100 });

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.ClientSecret, second.ClientSecret);
        Assert.Equal("true", second.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(all.Data, intent => intent.Id == first.Id);
    }

    [Fact]
    public async Task Same_idempotency_key_with_other_parameters_is_an_idempotency_error()
    {
        var options = new RequestOptions { IdempotencyKey = "checkout-order-100-" + Guid.NewGuid() };
        await emulator.Client.V1.PaymentIntents.CreateAsync(Order(2500), options);

        var error = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.PaymentIntents.CreateAsync(Order(2600), options));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("idempotency_error", error.StripeError.Type);
    }

    [Fact]
    public async Task Idempotency_keys_are_scoped_per_api_key()
    {
        var options = new RequestOptions { IdempotencyKey = "shared-" + Guid.NewGuid() };
        var otherAccount = EmulatorHarness.CreateClient(emulator.Server.ApiBase, "sk_test_other_account");

        var mine = await emulator.Client.V1.PaymentIntents.CreateAsync(Order(2500), options);
        var theirs = await otherAccount.V1.PaymentIntents.CreateAsync(Order(9900), options);

        Assert.NotEqual(mine.Id, theirs.Id);
        Assert.Equal(9900, theirs.Amount);
    }

    [Fact]
    public async Task Missing_secret_key_is_401_in_stripe_error_shape()
    {
        using var content = new FormUrlEncodedContent([new("amount", "1000"), new("currency", "usd")]);

        using var response = await emulator.Http.PostAsync(new Uri(emulator.Server.BaseUrl, "v1/payment_intents"), content);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith("You did not provide an API key.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("req_", response.Headers.GetValues("Request-Id").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_secret_key_is_401_through_stripe_net()
    {
        var client = EmulatorHarness.CreateClient(emulator.Server.ApiBase, "sk_live_not_a_test_key_1234");

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.PaymentIntents.GetAsync("pi_whatever"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.StartsWith("Invalid API Key provided: sk_live_", error.StripeError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not_a_test_key", error.StripeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_parameter_is_rejected_like_stripe_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.Server.BaseUrl, "v1/payment_intents"))
        {
            Content = new FormUrlEncodedContent([new("amount", "1000"), new("currency", "usd"), new("colour", "blue")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EmulatorHarness.SecretKey);

        using var response = await emulator.Http.SendAsync(request);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("parameter_unknown", error.GetProperty("code").GetString());
        Assert.Equal("colour", error.GetProperty("param").GetString());
    }
}
