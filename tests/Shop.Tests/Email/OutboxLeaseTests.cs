using Shop.Tests.Infrastructure;
using Shop.Web.Email;

namespace Shop.Tests.Email;

/// <summary>
/// The outbox lease and its heartbeat on the shop's clock (SQLite keeps the lease in it; on PostgreSQL it is the
/// database's, see MultiInstance/OutboxClusterTests). The SMTP server holds a message at its recipient while the clock moves.
/// </summary>
public sealed class OutboxLeaseTests
{
    private static readonly SmtpOptions s_defaults = new();

    /// <summary>How long a killed instance's emails wait at most, as README says: Smtp:LeaseDuration (1 min) after its last heartbeat.</summary>
    private static readonly TimeSpan s_documentedLease = TimeSpan.FromMinutes(1);

    [SqliteFact]
    public async Task A_sender_renews_its_lease_while_it_sends_so_another_instance_never_takes_over_a_batch_that_outlasts_the_lease()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var order = await shop.PlaceOrderAsync();
        await shop.SendEventAsync("payment_intent.succeeded", order);
        using var held = new HeldRecipient(shop.Inbox, reject: false);
        await shop.RestartAsync();
        held.WaitUntilHeld();
        var claimedUntil = (await shop.OutboxAsync()).Single().LockedUntil!.Value;
        using var other = shop.StartAnotherInstance();
        _ = other.Server;

        // Five heartbeats: the clock passes the first lease's end while the message is still on its way.
        var beat = s_defaults.LeaseDuration / 4;
        for (var beats = 1; beats <= 5; beats++)
        {
            shop.Clock.Advance(beat);
            await shop.WaitForOutboxAsync(rows => rows.Single().LockedUntil >= claimedUntil + beat * beats);
        }

        await ShopWithInbox.SettleSenderAsync(other);
        held.Release();
        await shop.WaitForOutboxAsync(rows => rows.Single().Status == OutboxStatus.Sent);
        await shop.SettleAsync();
        await ShopWithInbox.SettleSenderAsync(other);
        Assert.Equal($"Your receipt for order {order.PublicId}", Assert.Single(shop.Inbox.Messages).Subject);
    }

    /// <summary>
    /// A killed instance: its database is cut while it holds a claimed batch (its release cannot run), then it stops.
    /// The held message was refused, so nothing was accepted that it did not record: every email goes out exactly once.
    /// </summary>
    [SqliteFact]
    public async Task A_killed_instances_claimed_emails_are_sent_by_another_one_lease_and_one_poll_after_its_last_heartbeat_each_once()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var orders = new List<PlacedOrder>();
        for (var i = 0; i < 3; i++)
        {
            orders.Add(await shop.PlaceOrderAsync());
            await shop.SendEventAsync("payment_intent.succeeded", orders[^1]);
        }

        using (var held = new HeldRecipient(shop.Inbox, reject: true))
        {
            await shop.RestartAsync();
            held.WaitUntilHeld();
            shop.DatabaseFault.Arm(_ => true, () => new TimeoutException("The instance is gone."));
            held.Release();
            await shop.WaitForSenderAsync(status => status.RetryAt is not null);
        }

        Assert.All(await shop.OutboxAsync(), row => Assert.NotNull(row.LockedBy));
        shop.DatabaseFault.Clear();
        await shop.RestartAsync();
        await shop.SettleAsync();
        shop.Clock.Advance(s_documentedLease - TimeSpan.FromSeconds(1));
        await shop.SettleAsync();
        var beforeTheLeaseEnds = shop.Inbox.Messages.Count;

        // No wake-up: the sender's own poll timer finds the rows free.
        shop.Clock.Advance(TimeSpan.FromSeconds(1) + s_defaults.PollInterval);

        await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent));
        await shop.SettleAsync();
        Assert.Equal(0, beforeTheLeaseEnds);
        Assert.Equal(orders.Select(o => $"Your receipt for order {o.PublicId}").Order(), shop.Inbox.Messages.Select(m => m.Subject).Order());
    }

    /// <summary>The inbox's SMTP server holds the first recipient it is given until released, then accepts or refuses it.</summary>
    private sealed class HeldRecipient : IDisposable
    {
        private readonly Shop.Emulator.Inbox.DevInbox _inbox;
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _released = new();

        public HeldRecipient(Shop.Emulator.Inbox.DevInbox inbox, bool reject)
        {
            _inbox = inbox;
            inbox.RejectRecipient = _ =>
            {
                if (_held.IsSet)
                {
                    return false;
                }

                _held.Set();
                _released.Wait(TimeSpan.FromSeconds(30));
                return reject;
            };
        }

        public void WaitUntilHeld() => Assert.True(_held.Wait(TimeSpan.FromSeconds(30)), "The sender never reached the SMTP server's recipient.");

        public void Release() => _released.Set();

        public void Dispose()
        {
            _released.Set();
            _inbox.RejectRecipient = null;
            _held.Dispose();
            _released.Dispose();
        }
    }
}
