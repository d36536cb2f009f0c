using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Shop.Emulator.Inbox;
using Shop.Emulator.Stripe;
using Shop.Web.Payments;
using Shop.Web.Payments.Webhooks;

namespace Shop.Web.OfflineMode;

/// <summary>
/// Offline mode's Stripe emulator and development inbox, running inside the shop's process on ports chosen before start-up
/// (so the Stripe and SMTP options can point at them). Compiled in Debug builds only (Shop.Web.csproj).
/// </summary>
public sealed class OfflineModeHost(
    OfflineModeOptions ports, IServer server, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public const string SecretKey = "sk_test_local_emulator";
    public const string PublishableKey = "pk_test_local_emulator";
    public const string WebhookSecret = "whsec_local_emulator";

    private StripeEmulatorServer? _stripe;
    private DevInbox? _inbox;

    public Uri StripeBaseUrl => new($"http://127.0.0.1:{ports.StripePort}/");

    public Uri InboxUrl => InboxUrlFor(ports);

    private static Uri InboxUrlFor(OfflineModeOptions ports) => new($"http://127.0.0.1:{ports.InboxPort}/inbox");

    private static Uri DeliveriesUrlFor(OfflineModeOptions ports) => new($"http://127.0.0.1:{ports.StripePort}/deliveries");

    /// <summary>The inbox, once started; tests read the captured emails through it.</summary>
    public DevInbox Inbox => _inbox ?? throw new InvalidOperationException("Offline mode has not started.");

    public StripeEmulatorServer Stripe => _stripe ?? throw new InvalidOperationException("Offline mode has not started.");

    /// <summary>Points Stripe and SMTP at the emulator and inbox, and starts them with the shop.</summary>
    public static void AddTo(IHostApplicationBuilder builder, OfflineModeOptions configured)
    {
        var ports = WithConcretePorts(configured);
        if (Validator(ports) is { } problem)
        {
            throw new OptionsValidationException(OfflineModeOptions.SectionName, typeof(OfflineModeOptions), [problem]);
        }

        builder.Services.AddSingleton(new OfflineModeStatus(true, InboxUrlFor(ports), DeliveriesUrlFor(ports)));

        // Added last, so these win over appsettings for exactly the keys offline mode owns.
        var webhookSecretIndex = builder.Configuration.GetSection(StripeOptions.SectionName).GetSection(nameof(StripeOptions.WebhookSecrets)).GetChildren().Count();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = SecretKey,
            ["Stripe:PublishableKey"] = PublishableKey,
            ["Stripe:ApiBase"] = $"http://127.0.0.1:{ports.StripePort}",
            ["Stripe:JsUrl"] = $"http://127.0.0.1:{ports.StripePort}/v3",
            [$"Stripe:WebhookSecrets:{webhookSecretIndex}"] = WebhookSecret,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = ports.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:Username"] = "",
            ["Smtp:Password"] = "",
        });

        builder.Services.AddSingleton(ports);
        builder.Services.AddSingleton<OfflineModeHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OfflineModeHost>());
    }

    /// <summary>Replaces each 0 with a port that is free now, so the URLs are known before anything starts.</summary>
    private static OfflineModeOptions WithConcretePorts(OfflineModeOptions options) => new()
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
            loggerFactory.CreateLogger<OfflineModeHost>().LogWarning("The shop listens on no address the emulator could send webhooks to");
            return;
        }

        // Kestrel reports wildcard bindings as "http://[::]:5000"; the emulator must call a concrete address.
        var url = new UriBuilder(address) { Path = StripeWebhookController.Path };
        if (url.Host is "[::]" or "0.0.0.0" or "+" or "*")
        {
            url.Host = "127.0.0.1";
        }

        Stripe.AddWebhookEndpoint(url.Uri);
        loggerFactory.CreateLogger<OfflineModeHost>().LogInformation(
            "Offline mode: local Stripe emulator at {StripeUrl} sends webhooks to {WebhookUrl}; emails go to {InboxUrl}", StripeBaseUrl, url.Uri, InboxUrl);
    }

    private static string? Validator(OfflineModeOptions ports) =>
        new[] { ports.StripePort, ports.SmtpPort, ports.InboxPort }.Any(p => p is < 1 or > 65535)
            ? "OfflineMode:StripePort, OfflineMode:SmtpPort and OfflineMode:InboxPort must be ports from 0 (any free port) to 65535."
            : null;

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

        throw new InvalidOperationException("No free port found for offline mode between 20000 and 32000.");
    }
}
