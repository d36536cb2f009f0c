using Shop.Web.Orders;
using Shop.Web.Payments;
using Stripe;

namespace Shop.Tests.Payments;

public sealed class IdempotencyKeysTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static Order NewOrder() => Order.Place(
        new CustomerDetails("ada@example.com", "Ada", new ShippingAddress { Line1 = "1 Road", City = "London", PostalCode = "N1", Country = "GB" }),
        [new OrderLine { ProductId = 1, ProductName = "Pen", UnitPriceMinorUnits = 1000, Currency = "usd", Quantity = 1 }],
        "usd",
        s_now);

    public static TheoryData<string> ChangedCreationParameters => ["amount", "currency", "receipt_email", "metadata", "description", "automatic_payment_methods"];

    [Fact]
    public void The_same_parameters_always_get_the_same_key()
    {
        var order = NewOrder();

        var first = IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order));
        var second = IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order));

        Assert.Equal(first, second);
        Assert.Matches($"^shop-{order.PublicId}-pi-create-1-[0-9a-f]{{16}}$", first);
    }

    [Theory]
    [MemberData(nameof(ChangedCreationParameters))]
    public void Any_parameter_changed_gets_another_creation_key(string parameter)
    {
        var order = NewOrder();
        var changed = PaymentGateway.CreationParameters(order);
        switch (parameter)
        {
            case "amount": changed.Amount++; break;
            case "currency": changed.Currency = "eur"; break;
            case "receipt_email": changed.ReceiptEmail = "ada.lovelace@example.com"; break;
            case "metadata": changed.Metadata["order_id"] = "ord_other"; break;
            case "description": changed.Description += "."; break;
            default: changed.AutomaticPaymentMethods.Enabled = false; break;
        }

        var key = IdempotencyKeys.PaymentIntentCreation(order, changed);

        Assert.NotEqual(IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order)), key);
    }

    [Fact]
    public void A_corrected_email_gets_another_creation_key_when_stripe_sends_receipts()
    {
        var order = NewOrder();
        var before = IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order, stripeSendsReceipts: true));

        order.Revise(new CustomerDetails("ada.lovelace@example.com", order.CustomerName, order.ShippingAddress), order.Lines.ToList(), s_now);

        Assert.NotEqual(before, IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order, stripeSendsReceipts: true)));
    }

    [Fact]
    public void A_new_attempt_gets_another_key_for_the_same_parameters()
    {
        var order = NewOrder();
        var before = IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order));

        order.StartNewPaymentAttempt(s_now);

        var after = IdempotencyKeys.PaymentIntentCreation(order, PaymentGateway.CreationParameters(order));
        Assert.NotEqual(before, after);
        Assert.StartsWith($"shop-{order.PublicId}-pi-create-2-", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_orders_get_different_keys()
    {
        var (one, two) = (NewOrder(), NewOrder());

        Assert.NotEqual(
            IdempotencyKeys.PaymentIntentCreation(one, PaymentGateway.CreationParameters(one)),
            IdempotencyKeys.PaymentIntentCreation(two, PaymentGateway.CreationParameters(two)));
    }

    [Fact]
    public void Updates_are_keyed_by_revision_payment_intent_and_parameters()
    {
        var order = NewOrder();
        PaymentIntentUpdateOptions Update(long amount) => new() { Amount = amount, ReceiptEmail = order.CustomerEmail };

        var key = IdempotencyKeys.PaymentIntentUpdate(order, "pi_1", 3, Update(2000));

        Assert.Matches($"^shop-{order.PublicId}-pi-update-3-[0-9a-f]{{16}}$", key);
        Assert.Equal(key, IdempotencyKeys.PaymentIntentUpdate(order, "pi_1", 3, Update(2000)));
        Assert.NotEqual(key, IdempotencyKeys.PaymentIntentUpdate(order, "pi_1", 4, Update(2000)));
        Assert.NotEqual(key, IdempotencyKeys.PaymentIntentUpdate(order, "pi_2", 3, Update(2000)));
        Assert.NotEqual(key, IdempotencyKeys.PaymentIntentUpdate(order, "pi_1", 3, Update(2001)));
    }

    [Fact]
    public void Cancellations_are_keyed_by_payment_intent_and_parameters()
    {
        var order = NewOrder();
        var abandoned = new PaymentIntentCancelOptions { CancellationReason = "abandoned" };

        var key = IdempotencyKeys.PaymentIntentCancellation(order, "pi_1", abandoned);

        Assert.Matches($"^shop-{order.PublicId}-pi-cancel-1-[0-9a-f]{{16}}$", key);
        Assert.Equal(key, IdempotencyKeys.PaymentIntentCancellation(order, "pi_1", new PaymentIntentCancelOptions { CancellationReason = "abandoned" }));
        Assert.NotEqual(key, IdempotencyKeys.PaymentIntentCancellation(order, "pi_2", abandoned));
        Assert.NotEqual(key, IdempotencyKeys.PaymentIntentCancellation(order, "pi_1", new PaymentIntentCancelOptions { CancellationReason = "duplicate" }));
    }
}
