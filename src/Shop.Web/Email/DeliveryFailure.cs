using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Shop.Web.Email;

public enum DeliveryFailureKind
{
    /// <summary>Worth another try later: the server, the network or our credentials may recover.</summary>
    Transient,

    /// <summary>The server refused this message for good (5xx on its recipient or content): retrying cannot help.</summary>
    Permanent,
}

public static class DeliveryFailure
{
    /// <summary>What a failed connect or send means for the message, or null for an exception that is not about delivery.</summary>
    public static DeliveryFailureKind? Classify(Exception exception, CancellationToken stoppingToken) => exception switch
    {
        // Only the recipient or the message itself are the message's fault. A 5xx for our sender address or an
        // unexpected command is our configuration: failing every customer's email for it would lose them all.
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } command
            when (int)command.StatusCode >= 500 => DeliveryFailureKind.Permanent,
        SmtpCommandException => DeliveryFailureKind.Transient,
        SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException => DeliveryFailureKind.Transient,
        AuthenticationException or SslHandshakeException => DeliveryFailureKind.Transient,
        SocketException or IOException or TimeoutException => DeliveryFailureKind.Transient,
        OperationCanceledException when !stoppingToken.IsCancellationRequested => DeliveryFailureKind.Transient,
        _ => null,
    };

    /// <summary>The outcome as kept in the row's LastError for support: the SMTP reply code when there was one.</summary>
    public static string Describe(Exception exception)
    {
        var description = exception is SmtpCommandException command
            ? $"SMTP {(int)command.StatusCode} {command.ErrorCode}: {command.Message}"
            : $"{exception.GetType().Name}: {exception.Message}";
        return description.Length > 1000 ? description[..1000] : description;
    }
}
