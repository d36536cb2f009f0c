using Shop.Web.Orders;

namespace Shop.Tests.Infrastructure;

/// <summary>Orders written straight into the shop's database with the shop's own Order methods, at chosen times.</summary>
public static class AdminOrders
{
    public static async Task<Order> AddOrderAsync(this ShopApp app, string email, DateTimeOffset createdAt,
        OrderStatus status = OrderStatus.AwaitingPayment, string name = "Ada Lovelace", long amount = 2400, long refunded = 0,
        string currency = "usd")
    {
        var address = new ShippingAddress { Line1 = "12 St James's Square", City = "London", PostalCode = "SW1Y 4JH", Country = "GB" };
        var line = new OrderLine { ProductId = 1, ProductName = "Canvas tote", UnitPriceMinorUnits = amount, Currency = currency, Quantity = 1 };
        var order = Order.Place(new CustomerDetails(email, name, address), [line], currency, createdAt);
        order.AttachPaymentIntent("pi_" + order.PublicId[4..], "secret", amount, createdAt);
        if (status != OrderStatus.AwaitingPayment)
        {
            var paid = status is OrderStatus.Paid or OrderStatus.PartiallyRefunded or OrderStatus.Refunded or OrderStatus.NeedsReview ? amount : 0;
            order.ApplyPayment(new PaymentStanding(status, paid, refunded), createdAt);
        }

        // The shop's start migrates the database.
        _ = app.Services;
        await using var db = app.OpenDatabase();
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }
}
