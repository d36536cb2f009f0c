using Shop.Web.Orders;
using Shop.Web.Payments;

namespace Shop.Tests.Payments;

public sealed class IdempotencyKeysTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static Order NewOrder(long unitPrice = 1000) => Order.Place(
        new CustomerDetails("ada@example.com", "Ada", new ShippingAddress { Line1 = "1 Road", City = "London", PostalCode = "N1", Country = "GB" }),
        [new OrderLine { ProductId = 1, ProductName = "Pen", UnitPriceMinorUnits = unitPrice, Currency = "usd", Quantity = 1 }],
        "usd",
        s_now);

    [Fact]
    public void The_same_attempt_always_gets_the_same_key()
    {
        var order = NewOrder();

        Assert.Equal(IdempotencyKeys.PaymentIntentCreation(order), IdempotencyKeys.PaymentIntentCreation(order));
        Assert.Equal($"shop-{order.PublicId}-payment-intent-create-1", IdempotencyKeys.PaymentIntentCreation(order));
    }

    [Fact]
    public void Different_orders_get_different_keys() =>
        Assert.NotEqual(IdempotencyKeys.PaymentIntentCreation(NewOrder()), IdempotencyKeys.PaymentIntentCreation(NewOrder()));

    [Fact]
    public void A_new_amount_before_any_payment_intent_starts_a_new_attempt()
    {
        var order = NewOrder();
        var before = IdempotencyKeys.PaymentIntentCreation(order);

        order.Revise(
            new CustomerDetails(order.CustomerEmail, order.CustomerName, order.ShippingAddress),
            [new OrderLine { ProductId = 1, ProductName = "Pen", UnitPriceMinorUnits = 1000, Currency = "usd", Quantity = 2 }],
            s_now);

        Assert.NotEqual(before, IdempotencyKeys.PaymentIntentCreation(order));
        Assert.EndsWith("-create-2", IdempotencyKeys.PaymentIntentCreation(order), StringComparison.Ordinal);
    }

    [Fact]
    public void Updates_are_keyed_by_revision()
    {
        var order = NewOrder();

        Assert.Equal($"shop-{order.PublicId}-payment-intent-update-3", IdempotencyKeys.PaymentIntentUpdate(order, 3));
    }
}
