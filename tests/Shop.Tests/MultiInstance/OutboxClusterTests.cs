using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Emulator.Inbox;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;

namespace Shop.Tests.MultiInstance;

/// <summary>The outbox drained by several instances on one PostgreSQL database, with a real SMTP server counting what arrives.</summary>
[Collection(WholeMachine.Name)]
public sealed class OutboxClusterTests
{
    private const string FromAddress = "orders@shop.test";

    [PostgreSqlFact]
    public async Task A_thousand_due_emails_drained_by_three_instances_each_reach_the_smtp_server_exactly_once()
    {
        await using var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0, Capacity = 2000 });
        using var cluster = Cluster.Create(3, settings: SmtpSettings(inbox, batchSize: 50));
        var clients = await cluster.StartAllAsync();

        var queued = await QueueReceiptsAsync(cluster, 1000);

        await WaitUntilAllSentAsync(cluster, TimeSpan.FromMinutes(3));
        // Every batch that was in flight has ended, so a second send of any row would be in the inbox by now.
        await Task.WhenAll(cluster.Instances.Select(ShopWithInbox.SettleSenderAsync));
        Assert.Equal(queued.Select(MessageIdOf).Order(), inbox.Messages.Select(m => m.MessageId).Order());
        Array.ForEach(clients, client => client.Dispose());
    }

    /// <summary>
    /// What is simulated: a process killed between the SMTP server's "250 accepted" and its own UPDATE to Sent. The first
    /// instance's database is cut at that moment (every command fails, as for a process whose connections are gone), then
    /// the instance is stopped; its cleanup runs but reaches nothing, so its claim stays in the database until the lease
    /// ends, as a killed process would leave it. The server really holds the eleventh message, and the instance never
    /// recorded it. Sent marks are committed when a batch ends (SentRecorder), so every message the instance sent in that
    /// batch is unrecorded too: exactly those go out a second time, never more than the batch, nothing else. One SMTP
    /// connection per instance, so that the order of what arrives is known.
    /// </summary>
    [PostgreSqlFact]
    public async Task An_instance_dying_in_the_middle_of_its_batch_leaves_the_rest_to_another_after_the_lease_and_only_its_unrecorded_batch_goes_out_twice()
    {
        const int count = 20;
        const int dyingAt = 10;
        await using var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0 });
        // A real lease, short enough to wait for (the database's clock cannot be moved by a test), long enough for the
        // first instance to reach the eleventh email on a busy machine: a batch stops two SMTP timeouts before its lease ends.
        using var cluster = Cluster.Create(0, settings: SmtpSettings(inbox, batchSize: count, timeout: "00:00:02", lease: "00:00:15", connections: 1));
        var cut = new DatabaseFault();
        var dying = cluster.AddInstance(cut.AddTo);
        _ = dying.Server;
        // The server stalls at the recipient of the eleventh email until the test has cut the first instance's database.
        using var stalled = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var victim = QueuedReceipts.CustomerEmail(dyingAt);
        inbox.RejectRecipient = address =>
        {
            if (address == victim && !stalled.IsSet)
            {
                stalled.Set();
                resume.Wait(TimeSpan.FromSeconds(30));
            }

            return false;
        };
        var queued = await QueueReceiptsAsync(cluster, count);
        Assert.True(stalled.Wait(TimeSpan.FromSeconds(30)), "The first instance never reached the eleventh email.");
        cut.Arm(_ => true, () => new TimeoutException("The instance is gone."));
        resume.Set();
        await inbox.WaitForMessageAsync(m => m.To.Contains(victim), TimeSpan.FromSeconds(15));
        await Poll.UntilAsync(() => cut.Thrown, thrown => thrown > 0, thrown => $"{thrown} commands failed");
        await dying.DisposeAsync();
        var sentByTheFirst = inbox.Messages.Count;
        DateTimeOffset leaseEnd;
        await using (var db = cluster.Database.Open())
        {
            leaseEnd = (await db.Outbox.MaxAsync(m => m.LockedUntil))!.Value;
        }

        var survivor = cluster.AddInstance();
        _ = survivor.Server;

        await WaitUntilAllSentAsync(cluster, TimeSpan.FromSeconds(60));
        await ShopWithInbox.SettleSenderAsync(survivor);
        var ids = queued.Select(MessageIdOf).ToList();
        var byTheFirst = inbox.Messages.Take(sentByTheFirst).Select(m => m.MessageId).ToList();
        var byTheSurvivor = inbox.Messages.Skip(sentByTheFirst).ToList();
        var twice = byTheFirst.Intersect(byTheSurvivor.Select(m => m.MessageId)).ToList();
        // As sets: the order in which a batch goes out is not what this test is about (one run saw the first instance
        // start with the twelfth email; not explained yet, see the stop note of 2026-12-07).
        Assert.Equal(byTheFirst.Count, byTheFirst.Distinct().Count());
        Assert.All(byTheFirst, id => Assert.Contains(id, ids));
        var recordedByTheFirst = byTheFirst.Except(twice).ToHashSet();
        Assert.Equal(ids.Where(id => !recordedByTheFirst.Contains(id)).Order(), byTheSurvivor.Select(m => m.MessageId).Order());
        Assert.Contains(ids[dyingAt], twice);
        Assert.InRange(twice.Count, 1, count);
        Assert.All(byTheSurvivor, email => Assert.True(email.ReceivedAt > leaseEnd, $"{email} was sent before the lease ended at {leaseEnd:O}."));
    }

    private static Dictionary<string, string?> SmtpSettings(DevInbox inbox, int batchSize, string timeout = "00:00:05", string lease = "00:05:00",
        int connections = 4) => new()
    {
        ["Shop:PublicBaseUrl"] = "https://shop.test/",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = inbox.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From:Address"] = FromAddress,
        ["Smtp:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Connections"] = connections.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Timeout"] = timeout,
        ["Smtp:LeaseDuration"] = lease,
        ["Smtp:PollInterval"] = "00:00:00.200",
    };

    private static string MessageIdOf(OutboxMessage row) => row.MessageId("shop.test");

    private static async Task<List<OutboxMessage>> QueueReceiptsAsync(Cluster cluster, int count)
    {
        await using var db = cluster.Database.Open();
        return await QueuedReceipts.QueueAsync(db, count, DateTimeOffset.UtcNow);
    }

    private static async Task WaitUntilAllSentAsync(Cluster cluster, TimeSpan timeout) =>
        await Poll.UntilAsync(async () =>
        {
            await using var db = cluster.Database.Open();
            return await db.Outbox.GroupBy(m => m.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync();
        }, counts => counts.All(c => c.Status == OutboxStatus.Sent), counts => string.Join(", ", counts.Select(c => $"{c.Count} {c.Status}")), timeout);
}
