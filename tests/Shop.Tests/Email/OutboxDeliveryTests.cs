using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;

namespace Shop.Tests.Email;

/// <summary>The outbox never loses and never doubles an email: duplicates, SMTP outages, rejections, restarts, several instances.</summary>
public sealed class OutboxDeliveryTests
{
    [Fact]
    public async Task The_same_payment_event_delivered_five_times_sends_one_receipt()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        var order = await shop.PlaceOrderAsync();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => shop.SendEventAsync("payment_intent.succeeded", order, eventId: "evt_five_times")));

        await shop.WaitForOutboxAsync(rows => rows.Count > 0 && rows.All(r => r.Status == OutboxStatus.Sent));
        var email = Assert.Single(shop.Inbox.Messages);
        Assert.Equal($"Your receipt for order {order.PublicId}", email.Subject);
    }

    [Fact]
    public async Task Smtp_down_for_hours_costs_the_waiting_emails_no_attempts_and_each_goes_out_once_when_it_is_back()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        await shop.Inbox.StopSmtpAsync();
        var orders = new List<PlacedOrder> { await shop.PlaceOrderAsync(), await shop.PlaceOrderAsync("brass-pen"), await shop.PlaceOrderAsync() };
        foreach (var order in orders)
        {
            await shop.SendEventAsync("payment_intent.succeeded", order);
        }

        // Three hours: far past the old limit of 10 attempts with backoff (about 50 minutes), after which emails failed for good.
        var outageStart = shop.Clock.GetUtcNow();
        var failing = await shop.WaitForSenderAsync(s => s.ConsecutiveFailures == 1);
        while (shop.Clock.GetUtcNow() - outageStart < TimeSpan.FromHours(3))
        {
            shop.AdvanceToSenderRetry(failing);
            var failures = failing.ConsecutiveFailures;
            failing = await shop.WaitForSenderAsync(s => s.ConsecutiveFailures == failures + 1);
        }

        var whileDown = await shop.OutboxAsync();
        await shop.Inbox.StartSmtpAsync();
        shop.AdvanceToSenderRetry(failing);

        var sent = await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent));
        await shop.SettleAsync();
        Assert.All(whileDown, row => Assert.Equal((OutboxStatus.Pending, 0), (row.Status, row.Attempts)));
        Assert.All(whileDown, row => Assert.StartsWith("Waiting for the SMTP server: SocketException", row.LastError, StringComparison.Ordinal));
        Assert.InRange(failing.ConsecutiveFailures, 11, 30);
        Assert.Contains("SmtpUnavailableException", failing.LastError, StringComparison.Ordinal);
        Assert.Equal(orders.Select(o => o.PublicId).Order(), shop.Inbox.Messages.Select(m => m.Subject.Split(' ')[^1]).Order());
        Assert.All(sent, row => Assert.Equal((1, (string?)null), (row.Attempts, row.LockedBy)));
        Assert.Equal(0, (await shop.WaitForSenderAsync(_ => true)).ConsecutiveFailures);
    }

    [Fact]
    public async Task A_temporary_451_from_the_server_is_retried_until_it_accepts()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        shop.Inbox.TemporarilyFailing = true;
        var order = await shop.PlaceOrderAsync();

        await shop.SendEventAsync("payment_intent.payment_failed", order);
        var failing = await shop.WaitForOutboxAsync(rows => rows.Any(r => r.Attempts >= 1));
        shop.Inbox.TemporarilyFailing = false;
        shop.AdvanceAndWake(TimeSpan.FromMinutes(15));

        await shop.WaitForEmailAsync(order.PublicId);
        await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent));
        Assert.Single(shop.Inbox.Messages);
        Assert.StartsWith("SMTP 451 SenderNotAccepted", failing.Single().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_recipient_fails_that_email_and_the_next_one_is_still_delivered()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        shop.Inbox.RejectRecipient = address => address.StartsWith("nobody@", StringComparison.Ordinal);
        var rejected = await shop.PlaceOrderAsync(email: "nobody@example.com");
        var delivered = await shop.PlaceOrderAsync("brass-pen");
        await shop.SendEventAsync("payment_intent.succeeded", rejected);
        await shop.SendEventAsync("payment_intent.succeeded", delivered);

        // Both wait in the outbox, then go out in one batch, the rejected one first.
        await shop.RestartAsync();

        await shop.WaitForEmailAsync(delivered.PublicId);
        var rows = await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status != OutboxStatus.Pending));
        Assert.Equal([OutboxStatus.Failed, OutboxStatus.Sent], rows.Select(r => r.Status));
        Assert.Equal(1, rows[0].Attempts);
        Assert.StartsWith("SMTP 550 RecipientNotAccepted", rows[0].LastError, StringComparison.Ordinal);
        Assert.Equal(["ada@example.com"], Assert.Single(shop.Inbox.Messages).To);
        Assert.Equal(1, shop.Inbox.ConnectionCount); // the 550 did not cost the session
    }

    [Fact]
    public async Task Pending_emails_are_sent_after_the_shop_restarts()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var paid = await shop.PlaceOrderAsync();
        var declined = await shop.PlaceOrderAsync("brass-pen");
        await shop.SendEventAsync("payment_intent.succeeded", paid);
        await shop.SendEventAsync("payment_intent.payment_failed", declined);
        var beforeRestart = await shop.OutboxAsync();

        await shop.RestartAsync();

        await shop.WaitForEmailAsync($"Your receipt for order {paid.PublicId}");
        await shop.WaitForEmailAsync($"Your payment for order {declined.PublicId} did not go through");
        Assert.Equal([OutboxStatus.Pending, OutboxStatus.Pending], beforeRestart.Select(r => r.Status));
        Assert.Equal(2, shop.Inbox.Messages.Count);
    }

    [Fact]
    public async Task Several_pending_emails_go_over_one_smtp_connection()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        foreach (var slug in new[] { "canvas-tote", "brass-pen", "canvas-tote", "brass-pen" })
        {
            await shop.SendEventAsync("payment_intent.succeeded", await shop.PlaceOrderAsync(slug));
        }

        await shop.RestartAsync();

        await shop.WaitForOutboxAsync(rows => rows.Count == 4 && rows.All(r => r.Status == OutboxStatus.Sent));
        Assert.Equal(4, shop.Inbox.Messages.Count);
        Assert.Equal(1, shop.Inbox.ConnectionCount);
    }

    [Fact]
    public async Task Two_shop_instances_on_one_database_send_each_email_exactly_once()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var orders = new List<PlacedOrder>();
        for (var i = 0; i < 8; i++)
        {
            orders.Add(await shop.PlaceOrderAsync(i % 2 == 0 ? "canvas-tote" : "brass-pen"));
            await shop.SendEventAsync("payment_intent.succeeded", orders[^1]);
        }

        // Both instances start polling the same eight due rows at the same moment.
        using var other = shop.StartAnotherInstance();
        _ = other.Server;
        await shop.RestartAsync();

        await shop.WaitForOutboxAsync(rows => rows.Count == 8 && rows.All(r => r.Status == OutboxStatus.Sent));
        await shop.SettleAsync();
        await shop.SettleAsync(other);
        Assert.Equal(orders.Select(o => o.PublicId).Order(), shop.Inbox.Messages.Select(m => m.Subject.Split(' ')[^1]).Order());
    }

    // On SQLite the lease is in the instances' clock, which the test moves; on PostgreSQL it is in the database's (below).
    [SqliteFact]
    public async Task A_row_claimed_by_another_instance_is_left_alone_until_its_lease_expires()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var order = await shop.PlaceOrderAsync();
        await shop.SendEventAsync("payment_intent.succeeded", order);
        await using (var db = shop.App.OpenDatabase())
        {
            var row = await db.Outbox.SingleAsync();
            row.LockedBy = "another-instance";
            row.LockedUntil = shop.Clock.GetUtcNow().AddMinutes(5);
            await db.SaveChangesAsync();
        }

        await shop.RestartAsync();
        await shop.SettleAsync();
        var whileClaimed = shop.Inbox.Messages.Count;
        shop.AdvanceAndWake(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        await shop.WaitForEmailAsync(order.PublicId);
        Assert.Equal(0, whileClaimed);
        Assert.Single(shop.Inbox.Messages);
    }

    [PostgreSqlFact]
    public async Task On_PostgreSQL_a_lease_ends_by_the_database_clock_whatever_an_instance_clock_says()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var order = await shop.PlaceOrderAsync();
        await shop.SendEventAsync("payment_intent.succeeded", order);
        await using (var db = shop.App.OpenDatabase())
        {
            // A real lease, short enough to wait for: the database's clock cannot be moved by a test.
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "Outbox" SET "LockedBy" = 'another-instance', "LockedUntil" = now() + interval '10 seconds'
                """);
        }

        await shop.RestartAsync();
        // This instance's clock runs an hour ahead of the database's: by its own time the lease ended long ago.
        shop.AdvanceAndWake(TimeSpan.FromHours(1));
        await shop.SettleAsync();
        var whileClaimed = shop.Inbox.Messages.Count;

        // The sender's poll timer runs on the test's clock, so it is woken, as a new email would, until the lease ends.
        await Poll.UntilAsync(() =>
        {
            shop.AdvanceAndWake(TimeSpan.Zero);
            return shop.Inbox.Messages.Count;
        }, count => count > 0, count => $"{count} emails", TimeSpan.FromSeconds(30));
        await shop.SettleAsync();
        Assert.Equal(0, whileClaimed);
        Assert.Equal($"Your receipt for order {order.PublicId}", Assert.Single(shop.Inbox.Messages).Subject);
    }

    [Fact]
    public async Task A_message_refused_for_good_keeps_its_reason_and_is_sent_once_requeued()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        shop.Inbox.RejectRecipient = address => address.StartsWith("nobody@", StringComparison.Ordinal);
        var order = await shop.PlaceOrderAsync(email: "nobody@example.com");
        await shop.SendEventAsync("payment_intent.succeeded", order);
        var failed = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Failed)));
        shop.Inbox.RejectRecipient = null; // support fixed the customer's address with their mail provider

        var requeued = await shop.RequeueAsync(failed.Id);

        await shop.WaitForEmailAsync(order.PublicId);
        var sent = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent)));
        Assert.StartsWith("SMTP 550 RecipientNotAccepted", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        Assert.True(requeued);
        Assert.Equal(2, sent.Attempts);
        Assert.False(await shop.RequeueAsync(sent.Id)); // a sent email is never put back
        await shop.SettleAsync();
        Assert.Equal(["nobody@example.com"], Assert.Single(shop.Inbox.Messages).To);
    }

    [Fact]
    public async Task An_email_still_failing_temporarily_three_days_after_it_was_queued_fails_with_a_clear_reason()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        shop.Inbox.TemporarilyFailing = true;
        var order = await shop.PlaceOrderAsync();
        await shop.SendEventAsync("payment_intent.succeeded", order);
        var queuedAt = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.Single().Attempts == 1)).CreatedAt;

        shop.AdvanceAndWake(queuedAt.AddDays(3).AddMinutes(-1) - shop.Clock.GetUtcNow());
        var justBefore = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.Single().Attempts == 2));
        shop.AdvanceAndWake(TimeSpan.FromMinutes(15));
        var after = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.Single().Attempts == 3));

        Assert.Equal(OutboxStatus.Pending, justBefore.Status);
        Assert.Equal(OutboxStatus.Failed, after.Status);
        Assert.StartsWith("Gave up: still not delivered 3.00:00:00 after it was queued (Smtp:GiveUpAfter). Last error: SMTP 451",
            after.LastError, StringComparison.Ordinal);
        Assert.Empty(shop.Inbox.Messages);
    }

    [Fact]
    public async Task A_database_failing_under_the_sender_leaves_the_shop_serving_and_the_email_goes_out_when_it_recovers()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        var order = await shop.PlaceOrderAsync();
        // The sender's reads and claims fail; the webhook's own writes (the INSERT of the email among them) still work.
        shop.DatabaseFault.Arm(sql => sql.Contains("\"Outbox\"", StringComparison.Ordinal) && !sql.TrimStart().StartsWith("INSERT", StringComparison.Ordinal),
            () => new TimeoutException("The database did not answer in time."));
        await shop.SendEventAsync("payment_intent.succeeded", order);
        var failing = await shop.WaitForSenderAsync(s => s.ConsecutiveFailures == 1);
        shop.AdvanceToSenderRetry(failing);
        failing = await shop.WaitForSenderAsync(s => s.ConsecutiveFailures == 2);

        await ServingProbe.AssertServingAsync(shop.App, shop.Client, shop.Clock.GetUtcNow());
        shop.DatabaseFault.Clear();
        shop.AdvanceToSenderRetry(failing);

        await shop.WaitForEmailAsync(order.PublicId);
        var sent = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent)));
        Assert.Contains("TimeoutException: The database did not answer in time.", failing.LastError, StringComparison.Ordinal);
        Assert.Equal(1, sent.Attempts);
        Assert.Equal(0, (await shop.WaitForSenderAsync(s => s.ConsecutiveFailures == 0)).ConsecutiveFailures);
        await ServingProbe.AssertServingAsync(shop.App, shop.Client, shop.Clock.GetUtcNow());
    }
}
