using MailKit.Security;
using MimeKit;
using MailKitSmtpClient = MailKit.Net.Smtp.SmtpClient;

namespace Shop.Emulator.Tests.Inbox;

/// <summary>Builds and sends messages the way the shop's sender does: MailKit over a real socket.</summary>
internal static class InboxSmtp
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static MimeMessage Message(string subject, string to = "customer@example.com", string? html = null, string? text = "Hello from the shop.")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Shop", "orders@shop.example"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    public static async Task<MailKitSmtpClient> ConnectAsync(int port, MailKitSmtpClient? client = null)
    {
        client ??= new MailKitSmtpClient();
        client.Timeout = (int)Timeout.TotalMilliseconds;
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        return client;
    }

    public static async Task SendAsync(int port, MimeMessage message)
    {
        using var client = await ConnectAsync(port);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
