using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Shop.Emulator.Inbox;
using Shop.Emulator.Stripe;
using Shop.Web.Payments.Webhooks;

namespace Shop.Web.OfflineMode;

/// <summary>
/// The local Stripe emulator and development inbox, running inside the shop's process on fixed ports chosen before
/// start-up (so the Stripe and SMTP options can point at them). Webhooks go to the shop over real HTTP, emails over real SMTP.
/// </summary>
public sealed class LocalEmulators(
    OfflineModeOptions ports, IServer server, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public const string SecretKey = "sk_test_local_emulator";
    public const string PublishableKey = "pk_test_local_emulator";
    public const string WebhookSecret = "whsec_local_emulator";

    private StripeEmulatorServer? _stripe;
    private DevInbox? _inbox;

    public Uri StripeBaseUrl => new($"http://127.0.0.1:{ports.StripePort}/");

    public Uri InboxUrl => InboxUrlFor(ports);

    public static Uri InboxUrlFor(OfflineModeOptions ports) => new($"http://127.0.0.1:{ports.InboxPort}/inbox");

    public static Uri DeliveriesUrlFor(OfflineModeOptions ports) => new($"http://127.0.0.1:{ports.StripePort}/deliveries");

    /// <summary>The inbox, once started; tests read the captured emails through it.</summary>
    public DevInbox Inbox => _inbox ?? throw new InvalidOperationException("The local emulators have not started.");

    public StripeEmulatorServer Stripe => _stripe ?? throw new InvalidOperationException("The local emulators have not started.");

    /// <summary>Replaces each 0 with a port that is free now, so the URLs are known before anything starts.</summary>
    public static OfflineModeOptions WithConcretePorts(OfflineModeOptions options) => new()
    {
        Enabled = options.Enabled,
        StripePort = options.StripePort == 0 ? FreePort() : options.StripePort,
        SmtpPort = options.SmtpPort == 0 ? FreePort() : options.SmtpPort,
        InboxPort = options.InboxPort == 0 ? FreePort() : options.InboxPort,
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _stripe = await StripeEmulatorServer.StartAsync(
            new StripeEmulatorOptions { Port = ports.StripePort, WebhookSecret = WebhookSecret }, loggerFactory, cancellationToken);
        _inbox = await DevInbox.StartAsync(
            new DevInboxOptions { SmtpPort = ports.SmtpPort, HttpPort = ports.InboxPort }, loggerFactory, cancellationToken);

        // The shop's own address is known only once Kestrel listens.
        lifetime.ApplicationStarted.Register(RegisterWebhookEndpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        // Stopped by the host, then disposed by the container: only the first call does the work.
        if (Interlocked.Exchange(ref _stripe, null) is { } stripe)
        {
            await stripe.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _inbox, null) is { } inbox)
        {
            await inbox.DisposeAsync();
        }
    }

    private void RegisterWebhookEndpoint()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            loggerFactory.CreateLogger<LocalEmulators>().LogWarning("The shop listens on no address the emulator could send webhooks to");
            return;
        }

        // Kestrel reports wildcard bindings as "http://[::]:5000"; the emulator must call a concrete address.
        var url = new UriBuilder(address) { Path = StripeWebhookController.Path };
        if (url.Host is "[::]" or "0.0.0.0" or "+" or "*")
        {
            url.Host = "127.0.0.1";
        }

        Stripe.AddWebhookEndpoint(url.Uri);
        loggerFactory.CreateLogger<LocalEmulators>().LogInformation(
            "Offline mode: local Stripe emulator at {StripeUrl} sends webhooks to {WebhookUrl}; emails go to {InboxUrl}", StripeBaseUrl, url.Uri, InboxUrl);
    }

    /// <summary>
    /// A port that is free now, picked below Linux's ephemeral range (32768–60999) so that no outgoing connection can
    /// take it in the moment between this check and the emulator binding it.
    /// </summary>
    private static int FreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException("No free port found for the local emulators between 20000 and 32000.");
    }
}
