using System.Buffers;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
// SmtpServer's response type shares its name with MailKit's; the alias keeps this file unambiguous wherever it is read.
using SmtpReply = SmtpServer.Protocol.SmtpResponse;

namespace Shop.Emulator.Inbox;

/// <summary>Parses each message accepted in a DATA command and hands it to the store.</summary>
internal sealed class CapturingMessageStore(CapturedEmailStore store, TimeProvider timeProvider, ILogger logger) : MessageStore
{
    public override async Task<SmtpReply> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var raw = buffer.ToArray();
        using var stream = new MemoryStream(raw, writable: false);
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);

        var email = new CapturedEmail(
            store.NextId(),
            timeProvider.GetUtcNow(),
            transaction.From?.AsAddress() ?? string.Empty,
            [.. transaction.To.Select(to => to.AsAddress())],
            message,
            raw);
        store.Add(email);

        // Recipients' addresses stay out of Information logs (they are customers' emails in a realistic run).
        logger.LogInformation("Dev inbox captured message {EmailId} for {RecipientCount} recipient(s), {Size} bytes", email.Id, email.To.Count, raw.Length);
        return SmtpReply.Ok;
    }
}

/// <summary>Turns the inbox's test switches into the SMTP replies a real server would give.</summary>
internal sealed class FaultInjectingMailboxFilter(DevInbox inbox, ILogger logger) : MailboxFilter
{
    private static readonly SmtpReply s_temporaryFailure = new((SmtpReplyCode)451, "4.3.0 Temporary failure (dev inbox is set to fail), try again later");
    private static readonly SmtpReply s_unknownRecipient = new((SmtpReplyCode)550, "5.1.1 Recipient address rejected: user unknown (dev inbox)");

    public override Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox @from, int size, CancellationToken cancellationToken)
    {
        if (inbox.TemporarilyFailing)
        {
            logger.LogDebug("Dev inbox answering MAIL FROM with 451: TemporarilyFailing is set");

            // Throwing is SmtpServer's way to send a reply of our choosing; returning false would give its fixed 553.
            throw new SmtpResponseException(s_temporaryFailure);
        }

        return Task.FromResult(true);
    }

    public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox @from, CancellationToken cancellationToken)
    {
        var address = to.AsAddress();
        if (inbox.RejectRecipient?.Invoke(address) == true)
        {
            logger.LogDebug("Dev inbox rejecting a recipient with 550 5.1.1");
            throw new SmtpResponseException(s_unknownRecipient);
        }

        return Task.FromResult(true);
    }
}
