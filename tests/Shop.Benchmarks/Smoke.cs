namespace Shop.Benchmarks;

/// <summary>
/// <c>--smoke</c>: each group runs its scenarios for a second or so with a few hundred rows, to prove it starts and
/// completes on a fresh clone (tests/Shop.Tests runs one this way); its figures mean nothing and are not written down.
/// The runners and seeders shorten themselves here, so a group that uses them is covered without edits.
/// </summary>
public static class Smoke
{
    public static bool Enabled { get; set; }

    public static TimeSpan Duration(TimeSpan full) => Enabled && full > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : full;

    public static int Count(int full, int smoke) => Enabled ? Math.Min(full, smoke) : full;
}
