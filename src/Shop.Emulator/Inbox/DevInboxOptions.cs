namespace Shop.Emulator.Inbox;

public sealed class DevInboxOptions
{
    /// <summary>SMTP port on 127.0.0.1; 0 picks a free port, which is then kept for <see cref="DevInbox.StartSmtpAsync"/>.</summary>
    public int SmtpPort { get; set; }

    /// <summary>Port of the inbox web pages on 127.0.0.1; 0 picks a free port.</summary>
    public int HttpPort { get; set; }

    /// <summary>How many messages are kept; the oldest are dropped first so a long dev session cannot grow memory without bound.</summary>
    public int Capacity { get; set; } = 500;

    /// <summary>Source of <see cref="CapturedEmail.ReceivedAt"/>, so tests that move time see consistent stamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
