using System.ComponentModel.DataAnnotations;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>The "Reconciliation" section: when and how fast to ask Stripe about orders whose webhook never came.</summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    public bool Enabled { get; set; } = true;

    /// <summary>How long an order may wait for its webhook before the shop asks Stripe itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Reconciliation:After must be between 00:00:00 and 7.00:00:00.")]
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often to look for such orders.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Reconciliation:Interval must be between 00:00:00.100 and 1.00:00:00.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Orders older than this are abandoned carts, not missed webhooks: stop asking.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00", ErrorMessage = "Reconciliation:GiveUpAfter must be between 00:01:00 and 90.00:00:00.")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Stripe allows 25 read requests per second in test mode (100 live); stay well under it.</summary>
    [Range(1, 100, ErrorMessage = "Reconciliation:MaxRequestsPerSecond must be between 1 and 100.")]
    public int MaxRequestsPerSecond { get; set; } = 10;

    [Range(1, 1000, ErrorMessage = "Reconciliation:BatchSize must be between 1 and 1000.")]
    public int BatchSize { get; set; } = 100;

    /// <summary>How often to list the events Stripe created since the last catch-up, for whatever no webhook brought.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Reconciliation:CatchUpInterval must be between 00:00:00.100 and 1.00:00:00.")]
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far before the last listed event a catch-up starts again, for events Stripe lists with a delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Reconciliation:CatchUpOverlap must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan CatchUpOverlap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pages of 100 events read in one catch-up pass at most; a longer backlog continues in the next pass.</summary>
    [Range(1, 1000, ErrorMessage = "Reconciliation:CatchUpMaxPages must be between 1 and 1000.")]
    public int CatchUpMaxPages { get; set; } = 20;
}
