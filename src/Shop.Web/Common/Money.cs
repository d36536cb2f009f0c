using System.Globalization;

namespace Shop.Web.Common;

/// <summary>
/// An amount in the currency's minor units (cents for USD, yen for JPY) and a lowercase ISO 4217 code,
/// the same representation Stripe uses on the wire. Never a decimal of major units, never a float.
/// </summary>
public readonly record struct Money(long MinorUnits, string Currency)
{
    // Stripe's zero-decimal currencies: their amounts are already whole units (¥500 is amount=500).
    private static readonly HashSet<string> s_zeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    private static readonly Dictionary<string, string> s_symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["usd"] = "$", ["eur"] = "€", ["gbp"] = "£", ["jpy"] = "¥", ["krw"] = "₩", ["inr"] = "₹",
    };

    public static Money Zero(string currency) => new(0, Normalize(currency));

    public static int DecimalPlaces(string currency) => s_zeroDecimal.Contains(currency) ? 0 : 2;

    public static bool IsCurrencyCode(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetter);

    public static string Normalize(string currency) => currency.ToLowerInvariant();

    public Money Times(int quantity) => this with { MinorUnits = checked(MinorUnits * quantity) };

    public Money Plus(Money other)
    {
        if (!string.Equals(Currency, other.Currency, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Cannot add {other.Currency} to {Currency}.");
        }

        return this with { MinorUnits = checked(MinorUnits + other.MinorUnits) };
    }

    /// <summary>Formats for people: "$24.00", "¥3,600", "12.50 CHF".</summary>
    public override string ToString()
    {
        var places = DecimalPlaces(Currency);
        var major = places == 0 ? MinorUnits : MinorUnits / 100m;
        var number = major.ToString("N" + places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var sign = MinorUnits < 0 ? "-" : "";
        number = number.TrimStart('-');
        return s_symbols.TryGetValue(Currency, out var symbol)
            ? $"{sign}{symbol}{number}"
            : $"{sign}{number} {Currency.ToUpperInvariant()}";
    }
}
