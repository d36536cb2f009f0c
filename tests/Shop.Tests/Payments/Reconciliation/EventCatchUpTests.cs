using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Tests.Payments.Reconciliation;

public sealed class EventCatchUpTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public EventCatchUpTests() => _app = new ShopApp(_stripe, new Dictionary<string, string?>
    {
        ["Reconciliation:MaxRequestsPerSecond"] = "100",
    });

    [Fact]
    public async Task Events_missed_while_the_shop_was_down_are_listed_and_applied_once()
    {
        var paid = await _app.PlaceOrderAsync();
        var refunded = await _app.PlaceOrderAsync("brass-pen");
        var missed = new[]
        {
            StripeWebhooks.Event("payment_intent.succeeded", paid.PaymentIntentId, paid.Amount, eventId: "evt_missed_1"),
            StripeWebhooks.Event("payment_intent.succeeded", refunded.PaymentIntentId, refunded.Amount, eventId: "evt_missed_2"),
            StripeWebhooks.Event("charge.refunded", refunded.PaymentIntentId, refunded.Amount, eventId: "evt_missed_3"),
        };
        _stripe.AnswerEvents(missed, pageSize: 2);
        var catchUp = _app.Services.GetRequiredService<EventCatchUp>();

        var first = await catchUp.CatchUpAsync(CancellationToken.None);
        var second = await catchUp.CatchUpAsync(CancellationToken.None);

        Assert.Equal(3, first);
        Assert.Equal(0, second);
        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync(o => o.PublicId == paid.PublicId)).Status);
        Assert.Equal(OrderStatus.Refunded, (await db.Orders.SingleAsync(o => o.PublicId == refunded.PublicId)).Status);
        Assert.Equal(3, await db.StripeEvents.CountAsync(e => e.Source == StripeEventSource.CatchUp));
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Receipt));
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Kind == CustomerEmailKind.Refund));
        Assert.NotNull(await db.CatchUpCheckpoints.SingleOrDefaultAsync());
    }

    [Fact]
    public async Task An_event_already_delivered_by_webhook_is_a_duplicate_for_catch_up()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount, eventId: "evt_both_ways");
        using var client = _app.CreateClient();
        await StripeWebhooks.SendAsync(client, json);
        _stripe.AnswerEvents([json]);

        var applied = await _app.Services.GetRequiredService<EventCatchUp>().CatchUpAsync(CancellationToken.None);

        Assert.Equal(0, applied);
        await using var db = _app.OpenDatabase();
        Assert.Equal(StripeEventSource.Webhook, (await db.StripeEvents.SingleAsync()).Source);
        Assert.Equal(1, await db.Outbox.CountAsync());
    }

    [Fact]
    public async Task A_listing_that_fails_half_way_continues_after_the_last_event_read_and_saves_no_checkpoint_until_complete()
    {
        var orders = new[] { await _app.PlaceOrderAsync(), await _app.PlaceOrderAsync(), await _app.PlaceOrderAsync() };
        var events = orders.Select((o, i) => StripeWebhooks.Event("payment_intent.succeeded", o.PaymentIntentId, o.Amount, eventId: $"evt_listed_{i}")).ToList();
        _stripe.AnswerEvents(events, pageSize: 1);
        _stripe.FailListingsAfter(1);
        var catchUp = _app.Services.GetRequiredService<EventCatchUp>();

        var first = await catchUp.CatchUpAsync(CancellationToken.None);
        await using (var db = _app.OpenDatabase())
        {
            Assert.Empty(await db.CatchUpCheckpoints.ToListAsync());
        }

        _stripe.EndListingOutage();
        var listingsBefore = _stripe.EventListings;
        var second = await catchUp.CatchUpAsync(CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        // Newest first: the first pass read evt_listed_2, so the second goes on after it instead of starting over.
        var resumed = _stripe.Requests.Where(r => r.RequestMessage.Path == "/v1/events").Skip(listingsBefore).First();
        Assert.Equal("evt_listed_2", resumed.RequestMessage.Query!["starting_after"].Single());
        await using var after = _app.OpenDatabase();
        Assert.Equal(3, await after.StripeEvents.CountAsync(e => e.Source == StripeEventSource.CatchUp));
        Assert.All(await after.Orders.ToListAsync(), o => Assert.Equal(OrderStatus.Paid, o.Status));
        Assert.NotNull(await after.CatchUpCheckpoints.SingleOrDefaultAsync());
    }

    [Fact]
    public async Task A_later_pass_lists_from_the_checkpoint_less_the_overlap()
    {
        await _app.PlaceOrderAsync();
        var created = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        _stripe.AnswerEvents([StripeWebhooks.Event("payment_intent.succeeded", "pi_of_another_integration", 1000, change: e => e["created"] = created)]);
        var catchUp = _app.Services.GetRequiredService<EventCatchUp>();
        await catchUp.CatchUpAsync(CancellationToken.None);

        await catchUp.CatchUpAsync(CancellationToken.None);

        var since = _stripe.Requests.Where(r => r.RequestMessage.Path == "/v1/events").Select(r => r.RequestMessage.Query!["created[gte]"].Single()).Last();
        Assert.Equal(created - 600, long.Parse(since, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Catch_up_asks_stripe_only_for_the_event_types_the_shop_reads()
    {
        _stripe.AnswerEvents([]);

        await _app.Services.GetRequiredService<EventCatchUp>().CatchUpAsync(CancellationToken.None);

        // Stripe.net sends a list as types[0]=...&types[1]=...
        var query = _stripe.Requests.Single(r => r.RequestMessage.Path == "/v1/events").RequestMessage.Query!;
        var types = query.Where(q => q.Key.StartsWith("types[", StringComparison.Ordinal)).SelectMany(q => q.Value).ToList();
        Assert.Contains("payment_intent.succeeded", types);
        Assert.Equal(StripeEvent.RecommendedTypes.Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
