using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shop.Emulator.Inbox;

/// <summary>
/// A development and test mail catcher: a real SMTP server on 127.0.0.1 that keeps what it receives in memory,
/// and a small web host that shows it. Switches let tests make it reject recipients, fail temporarily or go down.
/// </summary>
public sealed class DevInbox : IAsyncDisposable
{
    private readonly CapturedEmailStore _store;
    private readonly SmtpListener _smtp;
    private readonly ILogger _logger;
    private WebApplication? _web;
    private volatile Func<string, bool>? _rejectRecipient;
    private volatile bool _temporarilyFailing;
    private int _disposed;

    private DevInbox(DevInboxOptions options, ILoggerFactory loggerFactory)
    {
        _store = new CapturedEmailStore(options.Capacity);
        _logger = loggerFactory.CreateLogger<DevInbox>();
        _smtp = new SmtpListener(
            new CapturingMessageStore(_store, options.TimeProvider, _logger),
            new FaultInjectingMailboxFilter(this, _logger),
            _logger);
    }

    /// <summary>The SMTP port on 127.0.0.1; it stays the same across <see cref="StopSmtpAsync"/> and <see cref="StartSmtpAsync"/>.</summary>
    public int SmtpPort => _smtp.Port;

    /// <summary>The list page, http://127.0.0.1:{port}/inbox.</summary>
    public Uri WebUrl { get; private set; } = null!;

    /// <summary>A snapshot of the kept messages, oldest first.</summary>
    public IReadOnlyList<CapturedEmail> Messages => _store.Snapshot();

    /// <summary>SMTP sessions (TCP connections) opened so far, across restarts.</summary>
    public int ConnectionCount => _smtp.ConnectionCount;

    /// <summary>When it returns true for a RCPT TO address, that recipient gets 550 5.1.1 (permanent failure).</summary>
    public Func<string, bool>? RejectRecipient
    {
        get => _rejectRecipient;
        set => _rejectRecipient = value;
    }

    /// <summary>While true, every MAIL FROM gets 451 4.3.0 (transient failure), to exercise a sender's retry.</summary>
    public bool TemporarilyFailing
    {
        get => _temporarilyFailing;
        set => _temporarilyFailing = value;
    }

    public static async Task<DevInbox> StartAsync(DevInboxOptions options, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SmtpPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SmtpPort, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfNegative(options.HttpPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.HttpPort, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);

        loggerFactory ??= NullLoggerFactory.Instance;
        var inbox = new DevInbox(options, loggerFactory);
        try
        {
            await inbox._smtp.StartAsync(options.SmtpPort, ct);
            await inbox.StartWebAsync(options.HttpPort, loggerFactory, ct);
            return inbox;
        }
        catch
        {
            await inbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes with the first message, already received or still to come, that matches; see the exception for what did arrive.</summary>
    /// <exception cref="TimeoutException">No matching message arrived in time; the message lists the ones that did.</exception>
    public Task<CapturedEmail> WaitForMessageAsync(Func<CapturedEmail, bool> match, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        return _store.WaitAsync(match, timeout, ct);
    }

    /// <summary>Closes the SMTP listener and drops open sessions: senders see connection refused.</summary>
    public Task StopSmtpAsync() => _smtp.StopAsync();

    /// <summary>Listens again on the same port.</summary>
    public Task StartSmtpAsync() => _smtp.StartAsync(_smtp.Port, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _smtp.DisposeAsync();
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
    }

    private async Task StartWebAsync(int port, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        // Its own slim host, not the emulator's: the inbox is started by tests and by the shop's dev setup alike,
        // and must not pick up anyone's appsettings, URLs or middleware.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DevInbox).Assembly.GetName().Name,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        var web = builder.Build();
        web.MapInbox(_store);
        _web = web;
        await web.StartAsync(ct);

        // With port 0 only the started server knows its port.
        WebUrl = new Uri(new Uri(web.Urls.First()), "/inbox");
        _logger.LogInformation("Dev inbox pages at {InboxUrl}", WebUrl);
    }
}
