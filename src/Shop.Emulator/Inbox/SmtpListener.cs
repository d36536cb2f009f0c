using System.Net;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Storage;
using SmtpServerHost = SmtpServer.SmtpServer;
using SmtpServiceProvider = SmtpServer.ComponentModel.ServiceProvider;

namespace Shop.Emulator.Inbox;

/// <summary>
/// One in-process SMTP server on 127.0.0.1 that can be stopped and started again on the same port,
/// so a test can take "the mail server" down and bring it back.
/// </summary>
internal sealed class SmtpListener(IMessageStore messageStore, IMailboxFilter mailboxFilter, ILogger logger) : IAsyncDisposable
{
    // SmtpServer's listener has no "wait until bound" call; its start event does, and it must not hang a test forever.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _connectionCount;
    private CancellationTokenSource? _running;
    private Task? _runTask;

    /// <summary>The bound port; 0 until the first start when a free port was asked for.</summary>
    public int Port { get; private set; }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public async Task StartAsync(int port, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_runTask is not null)
            {
                return;
            }

            // After the first start the actual port is reused, even when 0 ("any free port") was asked for.
            var bindPort = Port != 0 ? Port : port;
            var listenerFactory = new NoDelayListenerFactory();
            var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            listenerFactory.EndpointStarted += (_, e) => bound.TrySetResult((e.LocalEndPoint as IPEndPoint)?.Port ?? bindPort);

            var services = new SmtpServiceProvider();
            services.Add(messageStore);
            services.Add(mailboxFilter);
            services.Add(listenerFactory);

            var options = new SmtpServerOptionsBuilder()
                .ServerName("shop-dev-inbox")
                .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, bindPort)))
                .Build();
            var server = new SmtpServerHost(options, services);
            server.SessionCreated += (_, _) => Interlocked.Increment(ref _connectionCount);
            server.SessionFaulted += (_, e) => logger.LogWarning(e.Exception, "Dev inbox SMTP session faulted");

            var running = new CancellationTokenSource();
            var runTask = server.StartAsync(running.Token);
            try
            {
                if (await Task.WhenAny(bound.Task, runTask).WaitAsync(s_startTimeout, ct) == runTask)
                {
                    // The server ended before it listened (port taken, for instance): its own exception says why.
                    await runTask;
                    throw new InvalidOperationException($"The dev inbox SMTP server on port {bindPort} stopped before it started listening.");
                }
            }
            catch
            {
                // Never leave a half-started server behind; waiting without observing keeps the first error the one thrown.
                await running.CancelAsync();
                await Task.WhenAny(runTask);
                running.Dispose();
                throw;
            }

            Port = await bound.Task;
            _running = running;
            _runTask = runTask;
            logger.LogInformation("Dev inbox SMTP listening on 127.0.0.1:{SmtpPort}", Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_running is null || _runTask is null)
            {
                return;
            }

            // Cancelling (rather than SmtpServer's graceful Shutdown) also ends idle open sessions, which is what
            // "the mail server went down" looks like to a client holding a connection.
            await _running.CancelAsync();
            try
            {
                await _runTask;
            }
            catch (OperationCanceledException)
            {
                // The cancellation we just asked for.
            }

            _running.Dispose();
            _running = null;
            _runTask = null;
            logger.LogInformation("Dev inbox SMTP on 127.0.0.1:{SmtpPort} stopped", Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gate.Dispose();
    }
}
