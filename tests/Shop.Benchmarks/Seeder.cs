using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Catalog;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Benchmarks;

public sealed record SeededOrder(long Id, string PaymentIntentId, long Amount);

/// <summary>Writes the shop's schema (its own migrations), the catalog, and orders awaiting payment through ShopDbContext.</summary>
public static class Seeder
{
    public static async Task MigrateAsync(BenchDatabase database)
    {
        await using var db = database.Open();
        await db.Database.MigrateAsync();
        await CatalogSeed.SeedAsync(db, "usd", CancellationToken.None);
    }

    /// <summary>An order awaiting payment, as every seeded one is: one canvas tote for Ada Lovelace, its PaymentIntent attached.</summary>
    public static Order NewOrder(string prefix, int i, DateTimeOffset now)
    {
        var address = new ShippingAddress { Line1 = "12 St James's Square", City = "London", PostalCode = "SW1Y 4JH", Country = "GB" };
        var order = Order.Place(new CustomerDetails("ada@example.com", "Ada Lovelace", address),
            [new OrderLine { ProductId = 1, ProductName = "Canvas tote", UnitPriceMinorUnits = 2400, Currency = "usd", Quantity = 1 }],
            "usd", now);
        var pi = $"pi_{prefix}{i.ToString("D8", CultureInfo.InvariantCulture)}";
        order.AttachPaymentIntent(pi, pi + "_secret_bench", order.TotalMinorUnits, now);
        return order;
    }

    public static async Task<List<SeededOrder>> OrdersAsync(BenchDatabase database, string prefix, int count)
    {
        count = Smoke.Count(count, 200);
        var now = DateTimeOffset.UtcNow;
        var seeded = new List<SeededOrder>(count);
        for (var first = 0; first < count; first += 5_000)
        {
            await using var db = database.Open();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var orders = new List<Order>();
            for (var i = first; i < Math.Min(count, first + 5_000); i++)
            {
                orders.Add(NewOrder(prefix, i, now));
            }

            db.Orders.AddRange(orders);
            await db.SaveChangesAsync();
            seeded.AddRange(orders.Select(o => new SeededOrder(o.Id, o.PaymentIntentId!, o.TotalMinorUnits)));
        }

        return seeded;
    }

    /// <summary>Marks every existing outbox row sent and adds <paramref name="count"/> pending receipts.</summary>
    public static async Task PendingEmailsAsync(BenchDatabase database, IReadOnlyList<SeededOrder> orders, int count)
    {
        count = Smoke.Count(count, EmailBenchmark.SmokeQueued);
        await using var db = database.Open();
        await db.Outbox.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Sent));
        var now = DateTimeOffset.UtcNow;
        db.Outbox.AddRange(Enumerable.Range(0, count).Select(i => new OutboxMessage
        {
            Id = Guid.NewGuid(),
            OrderId = orders[i % orders.Count].Id,
            Kind = CustomerEmailKind.Receipt,
            AmountMinorUnits = orders[i % orders.Count].Amount,
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        }));
        await db.SaveChangesAsync();
    }
}
