namespace Shop.Web.Common;

/// <summary>The currencies a shop may be priced in (Shop:Currency): the demo catalog has prices in each of them.</summary>
public static class ShopCurrencies
{
    public static IReadOnlyList<string> All { get; } = ["usd", "eur", "gbp", "jpy"];
}
