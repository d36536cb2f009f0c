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

#if OFFLINE_MODE
        OfflineModeHost.AddTo(builder, configured);
        return builder;
#else
        // A Release build carries no emulator (a production image has no fake Stripe): say so rather than start without payments.
        throw new Microsoft.Extensions.Options.OptionsValidationException(OfflineModeOptions.SectionName, typeof(OfflineModeOptions), [ReleaseBuildError]);
#endif
    }

    /// <summary>Why a Release build does not start in offline mode, and the ways out.</summary>
    public const string ReleaseBuildError =
        "OfflineMode:Enabled is true and no Stripe keys are set, but offline mode needs a Debug build of the shop and this one is " +
        "Release (it carries no Stripe emulator). Run `dotnet run --project src/Shop.Web` (a Debug build); or run " +
        "`dotnet run --project src/Shop.Emulator` beside the shop and point Stripe:* and Smtp:* at it, as scripts/cluster.sh does; " +
        "or set Stripe keys; or set OfflineMode:Enabled=false to start without payments.";
}

/// <summary>Whether the shop runs in offline mode; the layout shows a banner with these links when it does.</summary>
public sealed record OfflineModeStatus(bool IsActive, Uri? InboxUrl, Uri? DeliveriesUrl);
