using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;

namespace Shop.Tests.MultiInstance;

public sealed class SameEventTests
{
    [PostgreSqlFact]
    public async Task The_same_event_delivered_to_every_instance_at_once_is_applied_once_with_one_email()
    {
        using var stripe = new StripeStub();
        using var cluster = Cluster.Create(3, stripe);
        var clients = await cluster.StartAllAsync();
        var order = await cluster.Instances[0].PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, eventId: "evt_to_every_instance");

        // Each instance gets it several times, all at once: Stripe's retries racing a load balancer's round-robin.
        var statuses = await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, 4).Select(_ => StripeWebhooks.SendAsync(client, json))));

        // 503 only ever means "not stored, deliver again" (the instance that lost the race on the event's key); the
        // redelivery Stripe then makes is answered 200 as a duplicate.
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.All(await Task.WhenAll(clients.Select(client => StripeWebhooks.SendAsync(client, json))), status => Assert.Equal(HttpStatusCode.OK, status));
        await using var db = cluster.Database.Open();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
        Assert.Equal(1, await db.StripeEvents.CountAsync(e => e.EventId == "evt_to_every_instance"));
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
        Array.ForEach(clients, client => client.Dispose());
    }

    [PostgreSqlFact]
    public async Task An_event_delivered_to_two_instances_at_once_is_answered_200_by_both_and_applied_once_round_after_round()
    {
        using var stripe = new StripeStub();
        using var cluster = Cluster.Create(2, stripe);
        var clients = await cluster.StartAllAsync();
        var orders = new List<PlacedOrder>();
        for (var i = 0; i < 30; i++)
        {
            orders.Add(await cluster.Instances[i % 2].PlaceOrderAsync());
        }

        // One delivery per instance and nothing else queued: each writer commits the event in a batch of its own, and
        // the one that loses the race (on the event's key, the fact's, the order's version) must read again, not fail.
        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < orders.Count; round++)
        {
            var json = StripeWebhooks.Event("payment_intent.succeeded", orders[round].PaymentIntentId, orders[round].Amount, eventId: $"evt_race_{round:D2}");
            statuses.AddRange(await Task.WhenAll(clients.Select(client => StripeWebhooks.SendAsync(client, json))));
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 2 * orders.Count), statuses);
        await using var db = cluster.Database.Open();
        Assert.Equal(orders.Count, await db.Orders.CountAsync(o => o.Status == OrderStatus.Paid));
        Assert.Equal(orders.Count, await db.StripeEvents.CountAsync(e => e.EventId.StartsWith("evt_race_")));
        Assert.Equal(orders.Count, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
        Assert.Equal(orders.Count, await db.OrderTimeline.CountAsync(t => t.Title == "payment_intent.succeeded"));
        Array.ForEach(clients, client => client.Dispose());
    }
}
