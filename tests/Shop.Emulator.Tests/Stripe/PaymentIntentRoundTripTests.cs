using Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class PaymentIntentRoundTripTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    [Fact]
    public async Task Created_payment_intent_deserializes_with_stripe_fields()
    {
        var intent = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 4200,
            Currency = "USD",
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
            Metadata = new Dictionary<string, string> { ["order_id"] = "order-42" },
            ReceiptEmail = "buyer@example.com",
            Description = "Order 42",
        });

        Assert.StartsWith("pi_", intent.Id, StringComparison.Ordinal);
        Assert.Equal("payment_intent", intent.Object);
        Assert.Equal(4200, intent.Amount);
        Assert.Equal("usd", intent.Currency);
        Assert.Equal("requires_payment_method", intent.Status);
        Assert.StartsWith(intent.Id + "_secret_", intent.ClientSecret, StringComparison.Ordinal);
        Assert.True(intent.AutomaticPaymentMethods.Enabled);
        Assert.Equal("order-42", intent.Metadata["order_id"]);
        Assert.Equal("buyer@example.com", intent.ReceiptEmail);
        Assert.Equal("Order 42", intent.Description);
        Assert.Equal(["card"], intent.PaymentMethodTypes);
        Assert.False(intent.Livemode);
        Assert.InRange(intent.Created, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.StartsWith("req_", intent.StripeResponse.RequestId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_returns_the_stored_payment_intent()
    {
        var created = await emulator.CreatePaymentIntentAsync(orderId: "order-7");

        var retrieved = await emulator.Client.V1.PaymentIntents.GetAsync(created.Id);

        Assert.Equal(created.Id, retrieved.Id);
        Assert.Equal(created.ClientSecret, retrieved.ClientSecret);
        Assert.Equal("order-7", retrieved.Metadata["order_id"]);
    }

    [Fact]
    public async Task Update_changes_amount_and_merges_metadata()
    {
        var created = await emulator.CreatePaymentIntentAsync(orderId: "order-8");

        var updated = await emulator.Client.V1.PaymentIntents.UpdateAsync(created.Id, new PaymentIntentUpdateOptions
        {
            Amount = 3100,
            ReceiptEmail = "later@example.com",
            Metadata = new Dictionary<string, string> { ["cart_version"] = "2" },
        });

        Assert.Equal(3100, updated.Amount);
        Assert.Equal("later@example.com", updated.ReceiptEmail);
        Assert.Equal("order-8", updated.Metadata["order_id"]);
        Assert.Equal("2", updated.Metadata["cart_version"]);
    }

    [Fact]
    public async Task Confirm_with_pm_card_visa_succeeds_with_a_charge()
    {
        var created = await emulator.CreatePaymentIntentAsync(amount: 2599);

        var confirmed = await emulator.Client.V1.PaymentIntents.ConfirmAsync(created.Id, new PaymentIntentConfirmOptions
        {
            PaymentMethod = "pm_card_visa",
            Expand = ["latest_charge"],
        });

        Assert.Equal("succeeded", confirmed.Status);
        Assert.Equal(2599, confirmed.AmountReceived);
        Assert.StartsWith("pm_", confirmed.PaymentMethodId, StringComparison.Ordinal);
        Assert.NotEqual("pm_card_visa", confirmed.PaymentMethodId);
        Assert.Null(confirmed.LastPaymentError);
        var charge = confirmed.LatestCharge;
        Assert.StartsWith("ch_", charge.Id, StringComparison.Ordinal);
        Assert.Equal("succeeded", charge.Status);
        Assert.True(charge.Paid);
        Assert.Equal(created.Id, charge.PaymentIntentId);
        Assert.Equal("4242", charge.PaymentMethodDetails.Card.Last4);
        Assert.Equal("visa", charge.PaymentMethodDetails.Card.Brand);
    }

    [Fact]
    public async Task Create_with_confirm_true_charges_at_once()
    {
        var intent = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1000,
            Currency = "eur",
            PaymentMethod = "pm_card_visa",
            Confirm = true,
        });

        Assert.Equal("succeeded", intent.Status);
        Assert.StartsWith("ch_", intent.LatestChargeId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_sets_canceled_status_and_reason()
    {
        var created = await emulator.CreatePaymentIntentAsync();

        var canceled = await emulator.Client.V1.PaymentIntents.CancelAsync(created.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" });

        Assert.Equal("canceled", canceled.Status);
        Assert.Equal("abandoned", canceled.CancellationReason);
        Assert.NotNull(canceled.CanceledAt);
    }

    [Fact]
    public async Task Succeeded_payment_intent_cannot_be_canceled_or_updated()
    {
        var intent = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
        });

        var cancel = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.PaymentIntents.CancelAsync(intent.Id));
        var update = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.PaymentIntents.UpdateAsync(intent.Id, new PaymentIntentUpdateOptions { Amount = 2000 }));

        Assert.Equal("payment_intent_unexpected_state", cancel.StripeError.Code);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, cancel.HttpStatusCode);
        Assert.Equal("payment_intent_unexpected_state", update.StripeError.Code);
    }

    [Fact]
    public async Task Partial_then_full_refund_updates_the_charge()
    {
        var intent = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 5000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
        });

        var partial = await emulator.Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 1500, Reason = "requested_by_customer" });
        var rest = await emulator.Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = intent.LatestChargeId });
        var again = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }));
        var retrieved = await emulator.Client.V1.Refunds.GetAsync(partial.Id);
        var charge = await emulator.Client.V1.Charges.GetAsync(intent.LatestChargeId);

        Assert.StartsWith("re_", partial.Id, StringComparison.Ordinal);
        Assert.Equal(1500, partial.Amount);
        Assert.Equal("succeeded", partial.Status);
        Assert.Equal(intent.Id, partial.PaymentIntentId);
        Assert.Equal("requested_by_customer", retrieved.Reason);
        Assert.Equal(3500, rest.Amount);
        Assert.Equal("charge_already_refunded", again.StripeError.Code);
        Assert.Equal(5000, charge.AmountRefunded);
        Assert.True(charge.Refunded);
        Assert.Equal([rest.Id, partial.Id], charge.Refunds.Data.Select(r => r.Id));
    }

    [Fact]
    public async Task Refund_larger_than_the_charge_is_rejected()
    {
        var intent = await emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
        });

        var error = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 1001 }));

        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.Equal("amount", error.StripeError.Param);
    }

    [Fact]
    public async Task List_returns_newest_first_in_stripe_list_shape()
    {
        var first = await emulator.CreatePaymentIntentAsync();
        var second = await emulator.CreatePaymentIntentAsync();

        var page = await emulator.Client.V1.PaymentIntents.ListAsync(new PaymentIntentListOptions { Limit = 2 });

        Assert.Equal([second.Id, first.Id], page.Data.Select(intent => intent.Id));
        Assert.Equal("/v1/payment_intents", page.Url);
        Assert.Equal("list", page.Object);
    }

    [Fact]
    public async Task Unknown_payment_intent_is_resource_missing()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => emulator.Client.V1.PaymentIntents.GetAsync("pi_doesnotexist"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.HttpStatusCode);
        Assert.Equal("resource_missing", error.StripeError.Code);
        Assert.Equal("No such payment_intent: 'pi_doesnotexist'", error.StripeError.Message);
    }

    [Fact]
    public async Task Amount_below_fifty_cents_is_amount_too_small()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => emulator.CreatePaymentIntentAsync(amount: 49));

        Assert.Equal("amount_too_small", error.StripeError.Code);
        Assert.Equal("amount", error.StripeError.Param);
    }

    [Fact]
    public async Task Api_base_with_a_trailing_slash_also_reaches_the_emulator()
    {
        var client = EmulatorHarness.CreateClient(emulator.Server.BaseUrl.ToString());

        var intent = await client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd" });

        Assert.StartsWith("pi_", intent.Id, StringComparison.Ordinal);
    }
}
