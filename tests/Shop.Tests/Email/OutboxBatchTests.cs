using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;
using Xunit.Abstractions;

namespace Shop.Tests.Email;

/// <summary>
/// What one outbox batch costs the database and how it uses the SMTP server (issue 18): commands counted below the shop
/// (Npgsql's own spans, one per command or batch), connections and messages counted by a real SMTP server.
/// </summary>
public sealed class OutboxBatchTests(ITestOutputHelper output)
{
    [PostgreSqlFact]
    public async Task A_batch_of_fifty_emails_costs_the_database_as_many_round_trips_as_a_batch_of_one()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        // The shop's own sender is idle (no SMTP host); its batches are run here, one at a time, against the inbox.
        var sender = shop.App.Services.GetServices<IHostedService>().OfType<OutboxSender>().Single();
        var smtp = new SmtpOptions { Host = "127.0.0.1", Port = shop.Inbox.SmtpPort, Security = SmtpSecurity.None, BatchSize = 50 };
        smtp.From.Address = ShopWithInbox.FromAddress;
        // The first batch opens and sets up the pool's connection; the two measured ones find it ready.
        await QueueAsync(shop, 1);
        Assert.Equal(1, await sender.SendDueBatchAsync(smtp, CancellationToken.None));

        await QueueAsync(shop, 1);
        var (one, oneClaimed) = await NpgsqlCommands.CountAsync(() => sender.SendDueBatchAsync(smtp, CancellationToken.None));
        await QueueAsync(shop, 50);
        var (fifty, fiftyClaimed) = await NpgsqlCommands.CountAsync(() => sender.SendDueBatchAsync(smtp, CancellationToken.None));

        Assert.Equal((1, 50), (oneClaimed, fiftyClaimed));
        output.WriteLine($"Commands of a batch of 1 email: {one}; of 50: {fifty}");
        Assert.Equal(one, fifty);
        Assert.All(await shop.OutboxAsync(), row => Assert.Equal(OutboxStatus.Sent, row.Status));
        Assert.Equal(52, shop.Inbox.Messages.Count);
    }

    [Fact]
    public async Task A_batch_shared_out_over_several_smtp_connections_sends_each_email_exactly_once()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        // Smtp:Connections' default, and enough emails in one batch for each of them.
        const int connections = 4;
        var queued = await QueueAsync(shop, connections * OutboxSender.MessagesPerConnection);

        await shop.RestartAsync();

        await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent));
        await shop.SettleAsync();
        Assert.Equal(queued.Select(r => r.MessageId("shop.test")).Order(), shop.Inbox.Messages.Select(m => m.MessageId).Order());
        Assert.Equal(connections, shop.Inbox.ConnectionCount);
    }

    private static async Task<List<OutboxMessage>> QueueAsync(ShopWithInbox shop, int count)
    {
        await using var db = shop.App.OpenDatabase();
        return await QueuedReceipts.QueueAsync(db, count, shop.Clock.GetUtcNow());
    }
}
