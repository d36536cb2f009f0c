using System.ComponentModel.DataAnnotations;

namespace Shop.Web.OfflineMode;

/// <summary>
/// The "OfflineMode" section. Outside Production, with no Stripe keys, the shop starts the local Stripe emulator and
/// the development inbox in its own process, so a fresh clone can take a payment with no account and no internet.
/// </summary>
public sealed class OfflineModeOptions
{
    public const string SectionName = "OfflineMode";

    /// <summary>Set false to run without a gateway instead (checkout then says none is configured).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Port of the Stripe emulator on 127.0.0.1 (API, Stripe.js stand-in, deliveries page); 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int StripePort { get; set; } = 12111;

    /// <summary>Port of the inbox's SMTP server on 127.0.0.1; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int SmtpPort { get; set; } = 2525;

    /// <summary>Port of the inbox's web page on 127.0.0.1; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int InboxPort { get; set; } = 5080;
}
