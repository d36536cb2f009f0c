using System.ComponentModel.DataAnnotations;

namespace Shop.Web.Security;

/// <summary>The "RateLimiting" configuration section: how many orders and PaymentIntents one client may create.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Checkout submissions allowed per client per window; card testers need many, real customers few.</summary>
    [Range(1, 10_000, ErrorMessage = "RateLimiting:CheckoutPermitLimit must be between 1 and 10000.")]
    public int CheckoutPermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "RateLimiting:CheckoutWindow must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan CheckoutWindow { get; set; } = TimeSpan.FromMinutes(1);
}
