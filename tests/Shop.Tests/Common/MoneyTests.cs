using Shop.Web.Common;

namespace Shop.Tests.Common;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(2400, "usd", "$24.00")]
    [InlineData(5, "usd", "$0.05")]
    [InlineData(123456789, "eur", "€1,234,567.89")]
    [InlineData(3600, "jpy", "¥3,600")]
    [InlineData(3600, "JPY", "¥3,600")]
    [InlineData(1250, "chf", "12.50 CHF")]
    [InlineData(500, "krw", "₩500")]
    [InlineData(-2400, "usd", "-$24.00")]
    public void Formats_per_currency(long minorUnits, string currency, string expected) =>
        Assert.Equal(expected, new Money(minorUnits, currency).ToString());

    [Fact]
    public void Totals_add_line_by_line_in_minor_units()
    {
        var total = new Money(1400, "usd").Times(3).Plus(new Money(4500, "usd"));

        Assert.Equal(new Money(8700, "usd"), total);
    }

    [Fact]
    public void Adding_different_currencies_is_a_bug()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(100, "usd").Plus(new Money(100, "jpy")));
    }

    [Theory]
    [InlineData("jpy", 0)]
    [InlineData("usd", 2)]
    [InlineData("eur", 2)]
    public void Knows_zero_decimal_currencies(string currency, int places) =>
        Assert.Equal(places, Money.DecimalPlaces(currency));
}
