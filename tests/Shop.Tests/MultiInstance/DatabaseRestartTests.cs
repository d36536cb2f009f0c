using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;
using Xunit.Abstractions;

namespace Shop.Tests.MultiInstance;

public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int Senders = 4;
    private const int AcknowledgedEachSide = 20;

    [PostgreSqlFact]
    public async Task Every_acknowledged_event_survives_a_database_restart_and_the_shop_recovers_by_itself()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var shop = new ShopApp(settings: postgres.ShopSettings);
        // Over a real port, as Stripe would (Kestrel applies the webhook's body size limit; TestServer cannot).
        shop.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        shop.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri(shop.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        var answers = new ConcurrentQueue<(string EventId, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();
        // Stripe's deliveries never stop for a database restart: several at once, each a new event.
        var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
                var json = StripeWebhooks.Event("payment_intent.succeeded", "pi_" + Guid.NewGuid().ToString("N")[..24], 2400, eventId: eventId);
                answers.Enqueue((eventId, await StripeWebhooks.SendAsync(client, json)));
            }
        })).ToList();
        await Poll.UntilAsync(() => answers.Count(a => a.Status == HttpStatusCode.OK), ok => ok >= AcknowledgedEachSide, ok => $"{ok} acknowledged");

        await postgres.RestartAsync();
        var answeredBeforeRestartEnded = answers.Count;
        var acknowledgedAfterRestart = await Poll.UntilAsync(
            () => answers.Skip(answeredBeforeRestartEnded).Count(a => a.Status == HttpStatusCode.OK),
            ok => ok >= AcknowledgedEachSide,
            ok => $"{ok} acknowledged since the restart, answers since then: " + string.Join(", ", answers.Skip(answeredBeforeRestartEnded).GroupBy(a => a.Status).Select(g => $"{g.Key} x{g.Count()}")),
            TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        output.WriteLine(string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{g.Key} x{g.Count()}")));

        // 503 says "not stored, deliver again"; anything else would make Stripe give up or lose the event.
        Assert.All(answers, answer => Assert.Contains(answer.Status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.True(acknowledgedAfterRestart >= AcknowledgedEachSide);
        await using var db = new PostgreSqlShopDbContext(new DbContextOptionsBuilder<PostgreSqlShopDbContext>().UseNpgsql(postgres.ConnectionString).Options);
        var stored = (await db.StripeEvents.Select(e => e.EventId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
        var acknowledged = answers.Where(a => a.Status == HttpStatusCode.OK).Select(a => a.EventId).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(stored, acknowledged);
    }
}
