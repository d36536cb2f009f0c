using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Shop.Emulator.Inbox;
using MailKitSmtpClient = MailKit.Net.Smtp.SmtpClient;

namespace Shop.Emulator.Tests.Inbox;

public sealed class DevInboxSmtpTests : IAsyncLifetime
{
    private DevInbox _inbox = null!;

    public async Task InitializeAsync() => _inbox = await DevInbox.StartAsync(new DevInboxOptions());

    public async Task DisposeAsync() => await _inbox.DisposeAsync();

    [Fact]
    public async Task A_sent_message_is_captured_with_subject_recipient_text_and_html()
    {
        var message = InboxSmtp.Message("Your order ord_3f2a is confirmed", to: "ada@example.com", html: "<p>Thanks, <b>Ada</b></p>", text: "Thanks, Ada");

        await InboxSmtp.SendAsync(_inbox.SmtpPort, message);
        var email = await _inbox.WaitForMessageAsync(m => m.Subject.Contains("ord_3f2a", StringComparison.Ordinal), InboxSmtp.Timeout);

        Assert.Equal(["ada@example.com"], email.To);
        Assert.Equal("\"Shop\" <orders@shop.example>", email.From);
        Assert.Equal("orders@shop.example", email.EnvelopeFrom);
        Assert.Equal("Thanks, Ada", email.Text?.TrimEnd());
        Assert.Equal("<p>Thanks, <b>Ada</b></p>", email.Html?.TrimEnd());
        Assert.Equal(message.MessageId, email.MessageId);
        Assert.Equal(message.MessageId, email.Message.MessageId);
        Assert.Same(email, Assert.Single(_inbox.Messages));
    }

    [Fact]
    public async Task Waiting_for_a_message_that_never_comes_times_out_naming_what_did_arrive()
    {
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Password reset", to: "bob@example.com"));
        await _inbox.WaitForMessageAsync(_ => true, InboxSmtp.Timeout);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() =>
            _inbox.WaitForMessageAsync(m => m.Subject == "Order shipped", TimeSpan.FromMilliseconds(200)));

        Assert.Contains("Password reset", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bob@example.com", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_completes_for_a_message_that_arrives_after_the_wait_began()
    {
        var waiting = _inbox.WaitForMessageAsync(m => m.Subject == "Later", InboxSmtp.Timeout);

        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Sooner"));
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Later"));

        Assert.Equal("Later", (await waiting).Subject);
    }

    [Fact]
    public async Task A_rejected_recipient_gets_a_permanent_550_and_the_connection_still_delivers_to_others()
    {
        _inbox.RejectRecipient = address => address == "nobody@example.com";
        using var client = await InboxSmtp.ConnectAsync(_inbox.SmtpPort);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(InboxSmtp.Message("To nobody", to: "nobody@example.com")));
        await client.SendAsync(InboxSmtp.Message("To somebody", to: "somebody@example.com"));
        await client.DisconnectAsync(quit: true);

        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, ex.ErrorCode);
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, ex.StatusCode);
        Assert.Equal("nobody@example.com", ex.Mailbox?.Address);
        Assert.Contains("5.1.1", ex.Message, StringComparison.Ordinal);
        var delivered = Assert.Single(_inbox.Messages);
        Assert.Equal(["somebody@example.com"], delivered.To);
    }

    [Fact]
    public async Task A_message_to_a_rejected_and_a_good_recipient_reaches_the_good_one_when_the_sender_tolerates_rejections()
    {
        _inbox.RejectRecipient = address => address == "nobody@example.com";
        var message = InboxSmtp.Message("Receipt", to: "somebody@example.com");
        message.Cc.Add(MailboxAddress.Parse("nobody@example.com"));
        using var client = await InboxSmtp.ConnectAsync(_inbox.SmtpPort, new RejectionTolerantSmtpClient());

        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        var rejected = Assert.Single(((RejectionTolerantSmtpClient)client).Rejected);
        Assert.Equal("nobody@example.com", rejected.Mailbox?.Address);
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, rejected.StatusCode);
        Assert.Equal(["somebody@example.com"], Assert.Single(_inbox.Messages).To);
    }

    [Fact]
    public async Task A_temporarily_failing_inbox_answers_451_and_accepts_again_once_cleared()
    {
        _inbox.TemporarilyFailing = true;
        using var client = await InboxSmtp.ConnectAsync(_inbox.SmtpPort);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(InboxSmtp.Message("Retry me")));
        _inbox.TemporarilyFailing = false;
        await client.SendAsync(InboxSmtp.Message("Retry me"));
        await client.DisconnectAsync(quit: true);

        Assert.Equal(SmtpErrorCode.SenderNotAccepted, ex.ErrorCode);
        Assert.Equal(451, (int)ex.StatusCode);
        Assert.Contains("4.3.0", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Retry me", Assert.Single(_inbox.Messages).Subject);
    }

    [Fact]
    public async Task A_stopped_smtp_listener_refuses_connections_and_comes_back_on_the_same_port()
    {
        var port = _inbox.SmtpPort;
        await InboxSmtp.SendAsync(port, InboxSmtp.Message("Before"));

        await _inbox.StopSmtpAsync();
        var refused = await Record.ExceptionAsync(() => InboxSmtp.SendAsync(port, InboxSmtp.Message("While down")));
        await _inbox.StartSmtpAsync();
        await InboxSmtp.SendAsync(port, InboxSmtp.Message("After"));

        var socketError = Assert.IsType<SocketException>(refused);
        Assert.Equal(SocketError.ConnectionRefused, socketError.SocketErrorCode);
        Assert.Equal(port, _inbox.SmtpPort);
        Assert.Equal(["Before", "After"], _inbox.Messages.Select(m => m.Subject));
    }

    [Fact]
    public async Task Stopping_smtp_drops_a_connection_a_sender_is_holding_open()
    {
        using var client = await InboxSmtp.ConnectAsync(_inbox.SmtpPort);

        await _inbox.StopSmtpAsync();
        var ex = await Record.ExceptionAsync(() => client.SendAsync(InboxSmtp.Message("Into the void")));

        Assert.NotNull(ex);
        Assert.Empty(_inbox.Messages);
    }

    [Fact]
    public async Task Several_messages_over_one_connection_count_as_one_session()
    {
        using (var client = await InboxSmtp.ConnectAsync(_inbox.SmtpPort))
        {
            for (var i = 1; i <= 3; i++)
            {
                await client.SendAsync(InboxSmtp.Message($"Batch {i}"));
            }

            await client.DisconnectAsync(quit: true);
        }

        var afterBatch = _inbox.ConnectionCount;
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Alone"));

        Assert.Equal(1, afterBatch);
        Assert.Equal(2, _inbox.ConnectionCount);
        Assert.Equal(4, _inbox.Messages.Count);
    }

    /// <summary>
    /// The inbox offers PIPELINING, so MailKit sends MAIL FROM, RCPT TO and DATA at once and gets three replies, each its
    /// own write. With Nagle's algorithm on the inbox's socket the second reply waited for the client's delayed ACK, 40 ms
    /// a message. The kernel's view of the inbox's socket is that cause itself; the speed is measured in the benchmark.
    /// </summary>
    [Fact]
    public async Task Replies_to_pipelined_commands_are_not_held_back_because_the_inbox_sockets_have_nagle_off()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _inbox.SmtpPort);
        using var client = new MailKitSmtpClient { Timeout = (int)InboxSmtp.Timeout.TotalMilliseconds };

        await client.ConnectAsync(socket, "127.0.0.1", _inbox.SmtpPort, SecureSocketOptions.None);

        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(InboxSocket.NoDelay(socket));
    }

    [Fact]
    public async Task Past_capacity_the_oldest_messages_are_dropped()
    {
        await using var small = await DevInbox.StartAsync(new DevInboxOptions { Capacity = 2 });
        using var client = await InboxSmtp.ConnectAsync(small.SmtpPort);

        foreach (var subject in new[] { "One", "Two", "Three" })
        {
            await client.SendAsync(InboxSmtp.Message(subject));
        }

        await client.DisconnectAsync(quit: true);

        Assert.Equal(["Two", "Three"], small.Messages.Select(m => m.Subject));
    }

    [Fact]
    public async Task Starting_a_second_inbox_on_a_port_in_use_fails_instead_of_hanging()
    {
        var ex = await Record.ExceptionAsync(() => DevInbox.StartAsync(new DevInboxOptions { SmtpPort = _inbox.SmtpPort }));

        var socketError = Assert.IsType<SocketException>(ex);
        Assert.Equal(SocketError.AddressAlreadyInUse, socketError.SocketErrorCode);
    }

    /// <summary>MailKit's documented hook for senders that deliver to the recipients that were accepted.</summary>
    private sealed class RejectionTolerantSmtpClient : MailKitSmtpClient
    {
        public List<SmtpCommandException> Rejected { get; } = [];

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
            Rejected.Add(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, response.StatusCode, mailbox, response.Response));
    }
}
