using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.DataMove;
using Shop.Web.Email;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// A shop that has run on SQLite (whatever the run's provider): orders placed through checkout and moved by signed Stripe
/// events into every status, its emails left pending (no SMTP configured), one given up, an admin and a catch-up checkpoint.
/// </summary>
public sealed class SqliteShopToCopy : IDisposable
{
    public const string RefundEventId = "evt_refund_before_the_copy";

    private SqliteShopToCopy(StripeStub stripe) => Stripe = stripe;

    public StripeStub Stripe { get; }

    public TestDatabase Database { get; } = TestDatabase.CreateSqlite();

    /// <summary>The order that was left awaiting payment, for a webhook after the copy.</summary>
    public PlacedOrder Awaiting { get; private set; } = null!;

    public PlacedOrder Refunded { get; private set; } = null!;

    /// <summary>The admin's CSV export of every order on the SQLite shop, as its owner saw it before the copy.</summary>
    public string OrdersCsv { get; private set; } = "";

    public static async Task<SqliteShopToCopy> WithOrdersInEveryStatusAsync(StripeStub stripe)
    {
        var shop = new SqliteShopToCopy(stripe);
        using var app = new ShopApp(stripe, database: shop.Database);
        using var client = app.CreateClient();

        var paid = await app.PlaceOrderAsync();
        await SendAsync(client, "payment_intent.succeeded", paid);
        shop.Refunded = await app.PlaceOrderAsync("canvas-tote", 2);
        await SendAsync(client, "payment_intent.succeeded", shop.Refunded);
        await SendAsync(client, "charge.refunded", shop.Refunded, RefundEventId, e => e["data"]!["object"]!["amount_refunded"] = shop.Refunded.Amount);
        var disputed = await app.PlaceOrderAsync();
        await SendAsync(client, "payment_intent.succeeded", disputed);
        await SendAsync(client, "charge.dispute.created", disputed);
        await SendAsync(client, "payment_intent.payment_failed", await app.PlaceOrderAsync());
        var review = await app.PlaceOrderAsync();
        await SendAsync(client, "payment_intent.succeeded", review with { Amount = review.Amount - 1 });
        shop.Awaiting = await app.PlaceOrderAsync();
        await app.CreateAdminAsync();

        await using var db = app.OpenDatabase();
        var firstEmail = await db.Outbox.OrderBy(m => m.CreatedAt).Select(m => m.Id).FirstAsync();
        await db.Outbox.Where(m => m.Id == firstEmail)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Status, OutboxStatus.Failed).SetProperty(m => m.LastError, "550 mailbox unavailable"));
        db.CatchUpCheckpoints.Add(new CatchUpCheckpoint
        {
            Name = CatchUpCheckpoint.EventsName,
            ListedUntil = DateTimeOffset.UtcNow.AddMinutes(-5),
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        using var admin = await app.AdminSessionAsync();
        shop.OrdersCsv = await admin.OrdersCsvAsync();
        return shop;
    }

    /// <summary>Runs the copy as `db copy --to` does, with the shop stopped, and returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> CopyToAsync(string target, TextWriter? output = null, int batchRows = DatabaseCopy.DefaultBatchRows)
    {
        var printed = output ?? new StringWriter();
        await using var source = Database.Open();
        var exitCode = await new DatabaseCopy(source, printed, batchRows).RunAsync(target, CancellationToken.None);
        return (exitCode, printed.ToString()!);
    }

    public static async Task SendAsync(HttpClient client, string fixture, PlacedOrder order, string? eventId = null, Action<JsonNode>? change = null)
    {
        var json = StripeWebhooks.Event(fixture, order.PaymentIntentId, order.Amount, order.Currency, order.PublicId, eventId, change);
        using var response = await StripeWebhooks.PostAsync(client, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public void Dispose() => Database.Dispose();
}

internal static class ShopRows
{
    /// <summary>The admin's CSV export of every order: number, date, status, email, name, currency, total, paid, refunded.</summary>
    public static async Task<string> OrdersCsvAsync(this ShopSession admin)
    {
        using var response = await admin.Client.GetAsync("/admin/orders?handler=Csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>What a shop owner sees of each order, in id order.</summary>
    public static async Task<List<string>> OrdersAsync(this ShopDbContext db) => (await db.Orders.AsNoTracking().OrderBy(o => o.Id).ToListAsync())
        .Select(o => $"{o.Id} {o.PublicId} {o.Status} {o.TotalMinorUnits} {o.PaidMinorUnits} {o.RefundedMinorUnits} {o.CreatedAt.UtcTicks / 10} lines={o.Lines.Count}")
        .ToList();
}
