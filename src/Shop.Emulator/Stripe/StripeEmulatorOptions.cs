using Microsoft.Extensions.Configuration;

namespace Shop.Emulator.Stripe;

/// <summary>Settings of the local Stripe emulator.</summary>
public sealed class StripeEmulatorOptions
{
    public const string SectionName = "StripeEmulator";

    /// <summary>The port on 127.0.0.1; 0 picks any free port.</summary>
    public int Port { get; set; }

    /// <summary>The signing secret the shop verifies <c>Stripe-Signature</c> with.</summary>
    public string WebhookSecret { get; set; } = "whsec_local_emulator";

    /// <summary>
    /// Delays between delivery attempts after a failure. Stripe retries for three days with exponential
    /// back-off; this is the same idea compressed so a developer sees retries within minutes.
    /// </summary>
    public TimeSpan[] RetrySchedule { get; set; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>How long a webhook endpoint has to answer before the attempt counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Endpoints that receive events from the start; more can be added with <see cref="StripeEmulatorServer.AddWebhookEndpoint"/>.</summary>
    public IList<Uri> WebhookEndpoints { get; } = [];

    /// <summary>
    /// How many objects (PaymentIntents, charges, events, ...) the emulator keeps; beyond it the oldest are dropped.
    /// Configured as <c>Emulator:MaxObjects</c>.
    /// </summary>
    public int MaxObjects { get; set; } = 100_000;

    /// <summary>Objects older than this are dropped too; null keeps them until <see cref="MaxObjects"/> pushes them out. <c>Emulator:MaxObjectAge</c>.</summary>
    public TimeSpan? MaxObjectAge { get; set; }

    /// <summary>How long a SEPA debit stays processing, and a refund on the pending-refund test card stays pending, before it settles.</summary>
    public TimeSpan ProcessingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Clock for created timestamps, signatures and retry delays.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Reads <c>--port</c> (or <c>StripeEmulator:Port</c>), <c>StripeEmulator:WebhookSecret</c>,
    /// <c>StripeEmulator:WebhookEndpoints:0..n</c>, <c>StripeEmulator:ProcessingDelay</c> and
    /// <c>Emulator:MaxObjects</c> / <c>Emulator:MaxObjectAge</c>, for the standalone program.
    /// </summary>
    public static StripeEmulatorOptions FromConfiguration(IConfiguration configuration, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new StripeEmulatorOptions
        {
            Port = configuration.GetValue<int?>("port") ?? section.GetValue<int?>(nameof(Port)) ?? defaultPort,
            WebhookSecret = section[nameof(WebhookSecret)] ?? "whsec_local_emulator",
            MaxObjects = configuration.GetValue<int?>("Emulator:MaxObjects") ?? 100_000,
            MaxObjectAge = configuration.GetValue<TimeSpan?>("Emulator:MaxObjectAge"),
            ProcessingDelay = section.GetValue<TimeSpan?>(nameof(ProcessingDelay)) ?? TimeSpan.FromSeconds(10),
        };
        foreach (var endpoint in section.GetSection(nameof(WebhookEndpoints)).GetChildren())
        {
            if (endpoint.Value is { Length: > 0 } url)
            {
                options.WebhookEndpoints.Add(new Uri(url, UriKind.Absolute));
            }
        }

        return options;
    }
}
