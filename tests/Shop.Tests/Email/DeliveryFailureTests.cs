using System.Net.Sockets;
using MailKit.Net.Smtp;
using MimeKit;
using Shop.Web.Email;

namespace Shop.Tests.Email;

public sealed class DeliveryFailureTests
{
    [Fact]
    public void A_rejected_recipient_is_permanent_but_a_temporary_refusal_or_a_rejected_sender_is_not()
    {
        var mailbox = new MailboxAddress("Ada", "ada@example.com");

        var recipient = DeliveryFailure.Classify(
            new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, mailbox, "5.1.1 no such user"), default);
        var temporary = DeliveryFailure.Classify(
            new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.ErrorInProcessing, "4.3.0 try later"), default);
        var sender = DeliveryFailure.Classify(
            new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable, mailbox, "5.7.1 not allowed"), default);

        Assert.Equal(DeliveryFailureKind.Permanent, recipient);
        Assert.Equal(DeliveryFailureKind.Transient, temporary);
        Assert.Equal(DeliveryFailureKind.Transient, sender);
    }

    [Fact]
    public void Network_failures_are_transient_and_other_exceptions_are_not_delivery_failures()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.Equal(DeliveryFailureKind.Transient, DeliveryFailure.Classify(new SocketException((int)SocketError.ConnectionRefused), default));
        Assert.Equal(DeliveryFailureKind.Transient, DeliveryFailure.Classify(new MailKit.ServiceNotConnectedException(), default));
        Assert.Equal(DeliveryFailureKind.Transient, DeliveryFailure.Classify(new OperationCanceledException(), default));
        Assert.Null(DeliveryFailure.Classify(new OperationCanceledException(), stopping.Token));
        Assert.Null(DeliveryFailure.Classify(new InvalidOperationException("a bug"), default));
    }
}
