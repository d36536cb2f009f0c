namespace Shop.Web.BackgroundWork;

/// <summary>How long to wait after failures: <see cref="First"/> doubled per further failure, spread ±20%, at most <see cref="Max"/>.</summary>
public sealed record Backoff(TimeSpan First, TimeSpan Max)
{
    public static readonly Backoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    /// <summary>
    /// The wait after the <paramref name="failures"/>-th failure in a row. The spread keeps instances that failed
    /// together (a database or mail server restart) from all retrying at the same moment.
    /// </summary>
    /// <param name="jitter">A random number in [0, 1).</param>
    public TimeSpan Delay(int failures, double jitter)
    {
        var exponential = First.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var spread = exponential * (0.8 + (0.4 * jitter));
        return TimeSpan.FromMilliseconds(Math.Min(spread, Max.TotalMilliseconds));
    }
}
