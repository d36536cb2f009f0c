using System.Diagnostics;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Shop.Emulator.Inbox;
using Shop.Web;
using Shop.Web.Email;

namespace Shop.Benchmarks;

/// <summary>
/// A run's rate over the messages it timed; where measured, the CPU time per message of the sending process(es) and of the
/// SMTP server; whether all it meant to time were sent within its limit.
/// </summary>
public sealed record EmailResult(int Sent, double PerSecond, double SenderCpuMs = double.NaN, double ServerCpuMs = double.NaN, bool AllSent = true);

/// <summary>
/// What the shop's drain is compared with, on the same server in the same run: the server's own single-connection ceiling
/// (measured before and after the drain, as the machine's load moves) and one connection per message.
/// </summary>
public sealed record EmailBaselines(EmailResult PerMessage, EmailResult CeilingBefore, EmailResult CeilingAfter)
{
    public double Ceiling => (CeilingBefore.PerSecond + CeilingAfter.PerSecond) / 2;
}

/// <summary>
/// The outbox drain and its baselines, against a local SMTP server: Debian's aiosmtpd with its Sink handler (accepts and
/// discards), in its own process so the server's cost is not charged to either side.
/// </summary>
public sealed class EmailBenchmark : IAsyncDisposable
{
    /// <summary>
    /// Outbox rows queued for a <see cref="Smoke"/> drain: enough that three instances, whose claimed batches (100 rows)
    /// turn Sent all at once when each ends, still have rows pending after the warm-up.
    /// </summary>
    public const int SmokeQueued = 1_000;

    private readonly Process _server;

    private EmailBenchmark(Process server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    public static async Task<EmailBenchmark> StartAsync()
    {
        var port = ShopProcess.FreePort();
        var start = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink" })
        {
            start.ArgumentList.Add(arg);
        }

        var server = Process.Start(start)!;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return new EmailBenchmark(server, port);
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        server.Kill();
        throw new TimeoutException("aiosmtpd did not listen within 5 s (apt-get install -y python3-aiosmtpd).");
    }

    /// <summary>Baseline: MailKit connect, send, disconnect for every message.</summary>
    public async Task<EmailResult> OneConnectionPerMessageAsync(int count)
    {
        var messages = await ReceiptsAsync(count);
        var clock = Stopwatch.StartNew();
        foreach (var message in messages)
        {
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        return new EmailResult(count, count / clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The server's single-connection ceiling: a minimal MailKit client sending the shop's receipts, rendered beforehand, over
    /// one connection, timed from the first send to the last accepted. No sender on one connection can do better.
    /// </summary>
    public async Task<EmailResult> OneConnectionAsync(int count)
    {
        var messages = await ReceiptsAsync(count);
        var (client, server) = (ClientCpu(), ServerCpu());
        var result = await OneConnectionAsync(Port, messages);
        return result with
        {
            SenderCpuMs = (ClientCpu() - client).TotalMilliseconds / count,
            ServerCpuMs = (ServerCpu() - server).TotalMilliseconds / count,
        };
    }

    /// <summary>
    /// The dev inbox (offline mode's SMTP server, in this process) under the same one-connection client: before it set
    /// NoDelay on its sockets it accepted about 21 messages/s (docs/benchmarks.md, step table).
    /// </summary>
    public static async Task<EmailResult> DevInboxOneConnectionAsync(int count)
    {
        var messages = await ReceiptsAsync(count);
        await using var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0, Capacity = count });
        return await OneConnectionAsync(inbox.SmtpPort, messages);
    }

    private static async Task<EmailResult> OneConnectionAsync(int port, List<MimeMessage> messages)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        var clock = Stopwatch.StartNew();
        foreach (var message in messages)
        {
            await client.SendAsync(message);
        }

        var elapsed = clock.Elapsed;
        await client.DisconnectAsync(quit: true);
        return new EmailResult(messages.Count, messages.Count / elapsed.TotalSeconds);
    }

    /// <summary>
    /// Times the shops sending <paramref name="timed"/> of the pending rows, and counts their and the server's CPU, once they
    /// have been sending for <paramref name="warmUp"/>: a freshly started shop spends its first seconds in tier-1 JIT (about
    /// 15 s here, a third of its CPU), which is start-up, not the drain of a running shop. Null if nothing is sent within 30 s.
    /// </summary>
    public async Task<EmailResult?> DrainAsync(BenchDatabase database, IReadOnlyList<ShopProcess> shops, int queued, TimeSpan warmUp, int timed,
        TimeSpan limit)
    {
        // No warm-up in a smoke run: one instance on a quiet machine sent all of a smoke run's rows within a second's
        // warm-up, which left none to time and failed the run ("0 timed, not all sent").
        (queued, warmUp, timed) = (Smoke.Count(queued, SmokeQueued), Smoke.Enabled ? TimeSpan.Zero : warmUp, Smoke.Count(timed, 50));
        TimeSpan ShopsCpu() => shops.Aggregate(TimeSpan.Zero, (sum, shop) => sum + shop.ProcessorTime());

        await using var db = database.Open();
        async Task<int> PendingAsync() => await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending);

        var wait = Stopwatch.StartNew();
        while (await PendingAsync() >= queued)
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(30))
            {
                return null;
            }

            await Task.Delay(20);
        }

        await Task.Delay(warmUp);
        var clock = Stopwatch.StartNew();
        var (shopsCpu, serverCpu, before) = (ShopsCpu(), ServerCpu(), await PendingAsync());
        int pending;
        while ((pending = await PendingAsync()) > before - timed && pending > 0 && clock.Elapsed < limit)
        {
            await Task.Delay(20);
        }

        var sent = before - pending;
        return new EmailResult(sent, sent / clock.Elapsed.TotalSeconds, (ShopsCpu() - shopsCpu).TotalMilliseconds / sent,
            (ServerCpu() - serverCpu).TotalMilliseconds / sent, AllSent: sent >= timed);
    }

    // The benchmark process sends the baselines' messages; little else runs in it meanwhile.
    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private TimeSpan ServerCpu()
    {
        _server.Refresh();
        return _server.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server.Dispose();
    }

    /// <summary>
    /// Receipts as the shop sends them, rendered by its own composer and templates: the server then reads the same bytes and
    /// lines as in the drain (aiosmtpd reads a message line by line; a 2.2 KB receipt has 46 lines).
    /// </summary>
    private static async Task<List<MimeMessage>> ReceiptsAsync(int count)
    {
        count = Smoke.Count(count, 20);
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddSingleton<CustomerEmailComposer>();
        services.Configure<SmtpOptions>(smtp => smtp.From.Address = "shop@example.com");
        services.Configure<ShopOptions>(shop => shop.PublicBaseUrl = new Uri("http://127.0.0.1/"));
        await using var provider = services.BuildServiceProvider();
        var composer = provider.GetRequiredService<CustomerEmailComposer>();
        await using var renderer = composer.StartRendering();
        var now = DateTimeOffset.UtcNow;
        var messages = new List<MimeMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var order = Seeder.NewOrder("receipt", i, now);
            messages.Add(await composer.ComposeAsync(OutboxMessage.Queue(i, CustomerEmailKind.Receipt, "receipt", order.TotalMinorUnits, now), order, renderer));
        }

        return messages;
    }
}
