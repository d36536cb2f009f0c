using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Orders and their receipts written straight into the database in one transaction, as many checkouts and webhooks
/// would have left them: every row due at <paramref name="now"/>, in a known order (the first is the oldest).
/// </summary>
public static class QueuedReceipts
{
    public static string CustomerEmail(int index) => $"customer-{index:D4}@example.com";

    public static async Task<List<OutboxMessage>> QueueAsync(ShopDbContext db, int count, DateTimeOffset now)
    {
        var product = await db.Products.OrderBy(p => p.Id).FirstAsync();
        var orders = Enumerable.Range(0, count).Select(i => Order.Place(
            new CustomerDetails(CustomerEmail(i), $"Customer {i}", new ShippingAddress { Line1 = "1 Main St", City = "Springfield", PostalCode = "12345", Country = "US" }),
            [new OrderLine { ProductId = product.Id, ProductName = product.Name, UnitPriceMinorUnits = product.PriceMinorUnits, Currency = product.Currency, Quantity = 1 }],
            product.Currency, now)).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
        var rows = orders.Select((order, i) => OutboxMessage.Queue(order.Id, CustomerEmailKind.Receipt, "receipt", order.TotalMinorUnits,
            now.AddMilliseconds(i - count))).ToList();
        db.Outbox.AddRange(rows);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return rows;
    }
}
