using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using Xunit.Abstractions;

namespace Shop.Tests.Payments.Events;

/// <summary>
/// What a batch of the event writer costs PostgreSQL in round trips (issue 18): every command Npgsql sends (its own
/// spans, one per command or batch) while one batch commits. Counted below the shop, so its raw batched writes count too.
/// </summary>
public sealed class EventBatchRoundTripTests : IDisposable
{
    private readonly ShopApp _app = new();
    private readonly ITestOutputHelper _output;

    public EventBatchRoundTripTests(ITestOutputHelper output) => _output = output;

    [PostgreSqlFact]
    public async Task A_batch_of_fifty_events_costs_as_many_round_trips_as_a_batch_of_one()
    {
        // Resolved first: that starts the shop, which migrates its database.
        await using var committer = ActivatorUtilities.CreateInstance<StripeEventCommitter>(_app.Services);
        var paymentIntents = await SeedOrdersAsync(52);
        // The first batch opens the committer's connection; the two measured ones run on it.
        await committer.CommitAsync([Succeeded(paymentIntents[0])], CancellationToken.None);

        var (one, oneResults) = await RoundTripsAsync(committer, [Succeeded(paymentIntents[1])]);
        var (fifty, fiftyResults) = await RoundTripsAsync(committer, paymentIntents.Skip(2).Select(Succeeded).ToList());

        Assert.Equal([IngestResult.Applied], oneResults);
        Assert.Equal(Enumerable.Repeat(IngestResult.Applied, 50), fiftyResults);
        _output.WriteLine($"Commands (round trips before the commit) of a batch of 1: {one}; of 50: {fifty}");
        Assert.Equal(one, fifty);
        await using var db = _app.OpenDatabase();
        Assert.Equal(52, await db.Orders.CountAsync(o => o.Status == OrderStatus.Paid));
        Assert.Equal(52, await db.OrderTimeline.CountAsync(t => t.Source == "webhook"));
    }

    /// <summary>The commands Npgsql sends while the batch commits, and the batch's results.</summary>
    private static Task<(int Commands, IngestResult[] Results)> RoundTripsAsync(StripeEventCommitter committer, List<PendingEvent> batch) =>
        NpgsqlCommands.CountAsync(() => committer.CommitAsync(batch, CancellationToken.None));

    private async Task<List<string>> SeedOrdersAsync(int count)
    {
        var now = DateTimeOffset.UtcNow;
        var address = new ShippingAddress { Line1 = "12 St James's Square", City = "London", PostalCode = "SW1Y 4JH", Country = "GB" };
        await using var db = _app.OpenDatabase();
        var orders = Enumerable.Range(0, count).Select(i =>
        {
            var order = Order.Place(new CustomerDetails("ada@example.com", "Ada Lovelace", address),
                [new OrderLine { ProductId = 1, ProductName = "Canvas tote", UnitPriceMinorUnits = 2400, Currency = "usd", Quantity = 1 }], "usd", now);
            order.AttachPaymentIntent($"pi_roundtrip{i:D4}", $"pi_roundtrip{i:D4}_secret", order.TotalMinorUnits, now);
            return order;
        }).ToList();
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
        return orders.ConvertAll(o => o.PaymentIntentId!);
    }

    private static PendingEvent Succeeded(string paymentIntentId)
    {
        var json = StripeWebhooks.Event("payment_intent.succeeded", paymentIntentId, 2400);
        Assert.True(StripeEvent.TryParse(Encoding.UTF8.GetBytes(json), out var stripeEvent, out var error), error);
        return new PendingEvent(stripeEvent!, StripeEventSource.Webhook);
    }

    public void Dispose() => _app.Dispose();
}
