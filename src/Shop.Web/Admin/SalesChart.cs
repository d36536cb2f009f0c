using System.Globalization;

namespace Shop.Web.Admin;

/// <summary>The geometry of a daily sales bar chart, drawn as inline SVG by the overview page: no script, no chart service.</summary>
public sealed class SalesChart
{
    public const int Width = 600;
    public const int Height = 160;

    private SalesChart(IReadOnlyList<Bar> bars) => Bars = bars;

    public IReadOnlyList<Bar> Bars { get; }

    /// <param name="Y">The bar's top, in the SVG's own units (0 at the top).</param>
    public sealed record Bar(DateOnly Day, long Amount, string X, string Y, string BarWidth, string BarHeight);

    public static SalesChart Of(IReadOnlyList<long> daily, DateOnly firstDay)
    {
        var slot = (double)Width / daily.Count;
        var max = Math.Max(1, daily.Max());
        var bars = daily.Select((amount, i) =>
        {
            var height = (double)Height * amount / max;
            return new Bar(firstDay.AddDays(i), amount, Number(i * slot + 1), Number(Height - height), Number(slot - 2), Number(height));
        }).ToList();
        return new SalesChart(bars);
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
