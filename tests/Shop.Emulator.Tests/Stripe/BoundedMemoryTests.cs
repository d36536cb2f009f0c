using System.Net;
using Microsoft.Extensions.Time.Testing;
using Shop.Emulator.Stripe;

namespace Shop.Emulator.Tests.Stripe;

public sealed class BoundedMemoryTests
{
    [Fact]
    public void Two_hundred_thousand_payment_intents_with_max_objects_ten_thousand_keep_ten_thousand()
    {
        var store = new ObjectStore(maxObjects: 10_000, maxAge: null, TimeProvider.System);

        for (var i = 0; i < 200_000; i++)
        {
            store.Add(new PaymentIntentRecord { Id = $"pi_{i}", ClientSecret = "s", Created = i, Amount = 100, Currency = "usd" });
        }

        Assert.Equal(10_000, store.Count);
        Assert.Equal(190_000, store.Dropped);
        Assert.Null(store.Find("pi_189999"));
        Assert.NotNull(store.Find("pi_190000"));
        Assert.Equal("pi_199999", store.NewestFirst<PaymentIntentRecord>().First().Id);
        Assert.Equal(10_000, store.NewestFirst<PaymentIntentRecord>().Count());
    }

    [Fact]
    public void Objects_older_than_the_max_age_are_dropped()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new ObjectStore(maxObjects: 100, maxAge: TimeSpan.FromHours(1), time);
        store.Add(new CustomerRecord { Id = "cus_old", Created = time.GetUtcNow().ToUnixTimeSeconds() });

        time.Advance(TimeSpan.FromMinutes(61));
        store.Add(new CustomerRecord { Id = "cus_new", Created = time.GetUtcNow().ToUnixTimeSeconds() });

        Assert.Null(store.Find("cus_old"));
        Assert.NotNull(store.Find("cus_new"));
        Assert.Equal(1, store.Dropped);
    }

    [Fact]
    public async Task Over_http_the_oldest_payment_intents_go_and_the_deliveries_page_says_so()
    {
        var emulator = new EmulatorHarness();
        emulator.Options.MaxObjects = 20;
        await emulator.InitializeAsync();
        try
        {
            using var wire = new StripeWire(emulator.Server.BaseUrl);
            var first = await wire.OkAsync(HttpMethod.Post, "v1/payment_intents", "amount=1000&currency=usd");
            for (var i = 0; i < 15; i++)
            {
                await wire.OkAsync(HttpMethod.Post, "v1/payment_intents", "amount=1000&currency=usd");
            }

            var (status, _) = await wire.GetAsync($"v1/payment_intents/{first.GetProperty("id").GetString()}");
            var html = await emulator.Http.GetStringAsync(emulator.Server.DeliveriesUrl);

            Assert.Equal(HttpStatusCode.NotFound, status); // 16 intents and 16 events: the first intent was dropped
            Assert.Contains("Keeping 20 objects (limit 20, Emulator:MaxObjects)", html, StringComparison.Ordinal);
            Assert.Contains("12 older objects were dropped", html, StringComparison.Ordinal);
        }
        finally
        {
            await emulator.DisposeAsync();
        }
    }
}
