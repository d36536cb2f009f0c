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
    public async Task An_email_waits_while_smtp_is_down_and_arrives_once_when_it_is_back()
    {
        await using var shop = await ShopWithInbox.StartAsync();
        await shop.Inbox.StopSmtpAsync();
        var order = await shop.PlaceOrderAsync();

        await shop.SendEventAsync("payment_intent.succeeded", order);
        var whileDown = await shop.WaitForOutboxAsync(rows => rows.Any(r => r.Attempts >= 2));
        await shop.Inbox.StartSmtpAsync();

        await shop.WaitForEmailAsync(order.PublicId);
        var sent = Assert.Single(await shop.WaitForOutboxAsync(rows => rows.All(r => r.Status == OutboxStatus.Sent)));
        Assert.Single(shop.Inbox.Messages);
        Assert.Equal(OutboxStatus.Pending, whileDown.Single().Status);
        Assert.Contains("SocketException", whileDown.Single().LastError, StringComparison.Ordinal);
        Assert.True(sent.Attempts >= 3, $"two failed attempts and the successful one, got {sent.Attempts}");
        Assert.Null(sent.LockedBy);
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
        await Task.Delay(300); // a second send, if there were one, would be on the wire by now
        Assert.Equal(orders.Select(o => o.PublicId).Order(), shop.Inbox.Messages.Select(m => m.Subject.Split(' ')[^1]).Order());
    }

    [Fact]
    public async Task A_row_claimed_by_another_instance_is_left_alone_until_its_lease_expires()
    {
        await using var shop = await ShopWithInbox.StartAsync(smtpConfigured: false);
        var order = await shop.PlaceOrderAsync();
        await shop.SendEventAsync("payment_intent.succeeded", order);
        await using (var db = shop.App.OpenDatabase())
        {
            var row = await db.Outbox.SingleAsync();
            row.LockedBy = "another-instance";
            row.LockedUntil = DateTimeOffset.UtcNow.AddSeconds(2);
            await db.SaveChangesAsync();
        }

        await shop.RestartAsync();
        await Task.Delay(1000);
        var whileClaimed = shop.Inbox.Messages.Count;

        await shop.WaitForEmailAsync(order.PublicId);
        Assert.Equal(0, whileClaimed);
        Assert.Single(shop.Inbox.Messages);
    }
}
