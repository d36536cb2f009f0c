using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Tests.MultiInstance;

public sealed class ReconciliationClusterTests
{
    [PostgreSqlFact]
    public async Task Three_instances_reconciling_at_once_ask_Stripe_about_each_payment_intent_once()
    {
        using var stripe = new StripeStub();
        using var cluster = Cluster.Create(3, stripe, new Dictionary<string, string?>
        {
            ["Reconciliation:Enabled"] = "true",
            // The instances' own timers stay out of the way: the passes under test are the ones started below.
            ["Reconciliation:Interval"] = "1.00:00:00",
            ["Reconciliation:CatchUpInterval"] = "1.00:00:00",
        });
        var clients = await cluster.StartAllAsync();
        var orders = new List<PlacedOrder>();
        for (var i = 0; i < 5; i++)
        {
            orders.Add(await cluster.Instances[i % 3].PlaceOrderAsync());
            stripe.AnswerRetrieve(orders[^1].PaymentIntentId, "succeeded", orders[^1].Amount);
        }

        await using (var db = cluster.Database.Open())
        {
            // Their webhooks never came, and they have waited longer than Reconciliation:After.
            await db.Database.ExecuteSqlAsync($"""UPDATE "Orders" SET "UpdatedAt" = now() - interval '1 hour'""");
        }

        using var go = new ManualResetEventSlim();
        var passes = cluster.Instances.Select(instance => Task.Run(() =>
        {
            go.Wait();
            return instance.Services.GetRequiredService<PaymentReconciler>().ReconcileDueOrdersAsync(CancellationToken.None);
        })).ToList();
        go.Set();
        var reconciled = await Task.WhenAll(passes);

        Assert.Equal(orders.Count, reconciled.Sum());
        Assert.All(orders, order => Assert.Equal(1, stripe.RetrievesOf(order.PaymentIntentId)));
        await using var after = cluster.Database.Open();
        Assert.All(await after.Orders.ToListAsync(), order => Assert.Equal(OrderStatus.Paid, order.Status));
        Array.ForEach(clients, client => client.Dispose());
    }
}
