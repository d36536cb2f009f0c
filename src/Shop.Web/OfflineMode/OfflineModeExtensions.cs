using Microsoft.Extensions.Options;
using Shop.Web.Payments;

namespace Shop.Web.OfflineMode;

public static class OfflineModeExtensions
{
    /// <summary>
    /// In Development (or the test host's Testing) and with no Stripe key configured, points the shop at the in-process
    /// Stripe emulator and inbox. Any key switches it off (real Stripe is used); in any other environment it never switches
    /// on, and start-up fails naming the missing keys (see <see cref="StripeOptions.MayRunWithoutKeys"/>).
    /// </summary>
    public static IHostApplicationBuilder AddOfflineMode(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetSection(OfflineModeOptions.SectionName).Get<OfflineModeOptions>() ?? new OfflineModeOptions();
        var stripe = builder.Configuration.GetSection(StripeOptions.SectionName);
        var active = StripeOptions.MayRunWithoutKeys(builder.Environment)
            && configured.Enabled
            && string.IsNullOrWhiteSpace(stripe[nameof(StripeOptions.SecretKey)])
            && string.IsNullOrWhiteSpace(stripe[nameof(StripeOptions.PublishableKey)]);

        if (!active)
        {
            builder.Services.AddSingleton(new OfflineModeStatus(false, null, null));
            return builder;
        }

        var ports = LocalEmulators.WithConcretePorts(configured);
        if (Validator(ports) is { } problem)
        {
            throw new OptionsValidationException(OfflineModeOptions.SectionName, typeof(OfflineModeOptions), [problem]);
        }

        builder.Services.AddSingleton(new OfflineModeStatus(true, LocalEmulators.InboxUrlFor(ports), LocalEmulators.DeliveriesUrlFor(ports)));

        // Added last, so these win over appsettings for exactly the keys offline mode owns.
        var webhookSecretIndex = stripe.GetSection(nameof(StripeOptions.WebhookSecrets)).GetChildren().Count();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = LocalEmulators.SecretKey,
            ["Stripe:PublishableKey"] = LocalEmulators.PublishableKey,
            ["Stripe:ApiBase"] = $"http://127.0.0.1:{ports.StripePort}",
            ["Stripe:JsUrl"] = $"http://127.0.0.1:{ports.StripePort}/v3",
            [$"Stripe:WebhookSecrets:{webhookSecretIndex}"] = LocalEmulators.WebhookSecret,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = ports.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:Username"] = "",
            ["Smtp:Password"] = "",
        });

        builder.Services.AddSingleton(ports);
        builder.Services.AddSingleton<LocalEmulators>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LocalEmulators>());
        return builder;
    }

    private static string? Validator(OfflineModeOptions ports) =>
        new[] { ports.StripePort, ports.SmtpPort, ports.InboxPort }.Any(p => p is < 1 or > 65535)
            ? "OfflineMode:StripePort, OfflineMode:SmtpPort and OfflineMode:InboxPort must be ports from 0 (any free port) to 65535."
            : null;
}

/// <summary>Whether the shop runs against the local emulators; the layout shows a banner with these links when it does.</summary>
public sealed record OfflineModeStatus(bool IsActive, Uri? InboxUrl, Uri? DeliveriesUrl);
