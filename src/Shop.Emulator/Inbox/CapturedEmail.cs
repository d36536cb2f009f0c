using MimeKit;

namespace Shop.Emulator.Inbox;

/// <summary>A message the dev inbox accepted over SMTP.</summary>
public sealed class CapturedEmail
{
    private readonly byte[] _raw;

    internal CapturedEmail(long id, DateTimeOffset receivedAt, string envelopeFrom, IReadOnlyList<string> envelopeTo, MimeMessage message, byte[] raw)
    {
        Id = id;
        ReceivedAt = receivedAt;
        EnvelopeFrom = envelopeFrom;
        Message = message;
        _raw = raw;

        // The envelope (RCPT TO) is who the sender really delivered to; headers can differ (Bcc, typos in To), and tests
        // that ask "did the customer get a mail" mean the envelope.
        To = envelopeTo;
        From = message.From.Count > 0 ? message.From.ToString() : envelopeFrom;
        Subject = message.Subject ?? string.Empty;
        MessageId = message.MessageId;
        Html = message.HtmlBody;
        Text = message.TextBody;
    }

    /// <summary>Increasing number, unique for the lifetime of the inbox; used in the page URLs.</summary>
    public long Id { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The From header as written by the sender, or the envelope sender when the header is missing.</summary>
    public string From { get; }

    /// <summary>The MAIL FROM address of the SMTP envelope.</summary>
    public string EnvelopeFrom { get; }

    /// <summary>The accepted RCPT TO addresses of the SMTP envelope.</summary>
    public IReadOnlyList<string> To { get; }

    public string Subject { get; }

    /// <summary>The Message-ID header without angle brackets, if the sender set one.</summary>
    public string? MessageId { get; }

    public string? Html { get; }

    public string? Text { get; }

    public MimeMessage Message { get; }

    /// <summary>The message exactly as received in the DATA command.</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    public override string ToString() => $"#{Id} to {string.Join(", ", To)}: \"{Subject}\"";
}
