using System.ComponentModel.DataAnnotations;

namespace Shop.Web.Security;

/// <summary>The "RateLimiting" configuration section: how many orders and PaymentIntents one client may create, how often it may try to sign in, and how many orders it may look up.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Checkout submissions allowed per client per window; card testers need many, real customers few.</summary>
    [Range(1, 10_000, ErrorMessage = "RateLimiting:CheckoutPermitLimit must be between 1 and 10000.")]
    public int CheckoutPermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "RateLimiting:CheckoutWindow must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan CheckoutWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Admin sign-in attempts allowed per client address per window, besides the account lockout: one address cannot guess
    /// passwords quickly, nor keep a known admin locked out on its own.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "RateLimiting:LoginPermitLimit must be between 1 and 10000.")]
    public int LoginPermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "RateLimiting:LoginWindow must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Order lookups (email + order number) allowed per client per window: a customer needs a few tries, a prober many.</summary>
    [Range(1, 10_000, ErrorMessage = "RateLimiting:OrderLookupPermitLimit must be between 1 and 10000.")]
    public int OrderLookupPermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "RateLimiting:OrderLookupWindow must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan OrderLookupWindow { get; set; } = TimeSpan.FromMinutes(10);
}
