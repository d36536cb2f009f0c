using System.ComponentModel.DataAnnotations;

namespace Shop.Web.Common;

/// <summary>The "Health" section: how old the outbox and reconciliation may get before /health/ready reports them.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>The oldest due email may wait this long before the outbox check fails (the sender is stuck or far behind).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00", ErrorMessage = "Health:OutboxMaxDueAge must be between 00:00:10 and 7.00:00:00.")]
    public TimeSpan OutboxMaxDueAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long ago reconciliation (when enabled) may have last completed a pass.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00", ErrorMessage = "Health:ReconciliationMaxAge must be between 00:00:10 and 7.00:00:00.")]
    public TimeSpan ReconciliationMaxAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one SMTP probe's answer is reused, so a busy probe endpoint does not open a connection per request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Health:SmtpProbeInterval must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan SmtpProbeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the SMTP probe may take before it counts as unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Health:SmtpProbeTimeout must be between 00:00:00.100 and 00:01:00.")]
    public TimeSpan SmtpProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
