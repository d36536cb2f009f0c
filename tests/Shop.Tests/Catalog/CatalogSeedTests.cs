using Shop.Tests.Infrastructure;
using Shop.Web.Common;

namespace Shop.Tests.Catalog;

public sealed class CatalogSeedTests
{
    public static TheoryData<string> Currencies => [.. ShopCurrencies.All];

    [Theory]
    [MemberData(nameof(Currencies))]
    public async Task The_demo_catalog_is_priced_in_every_currency_a_shop_may_choose(string currency)
    {
        using var app = new ShopApp(settings: new Dictionary<string, string?> { ["Shop:Currency"] = currency });
        using var session = app.NewSession();

        var page = await session.GetAsync("/");

        Assert.Equal(System.Net.HttpStatusCode.OK, page.Status);
        Assert.Contains("Brass pen", page.Html, StringComparison.Ordinal);
    }
}
