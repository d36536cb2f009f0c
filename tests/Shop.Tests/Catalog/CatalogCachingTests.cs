using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.Catalog;

namespace Shop.Tests.Catalog;

/// <summary>The catalog pages come from the output cache and an in-memory catalog: never another visitor's, never for long stale.</summary>
public sealed class CatalogCachingTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/products/canvas-tote")]
    public async Task Two_visitors_get_their_own_tokens_and_carts_from_cached_pages_and_both_can_add_to_cart(string page)
    {
        // The catalog's refresh period is part of the cache key: on the real clock a period could end between two of these
        // requests (seen on a loaded machine) and the third would rightly be rendered anew. Here the shop's time stands
        // still, and the output cache's own expiry (the refresh interval, on the real clock) is an hour away.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new ShopApp(settings: new Dictionary<string, string?> { ["Catalog:RefreshInterval"] = "01:00:00" },
            testServices: services => services.AddSingleton<TimeProvider>(clock));
        using var alice = app.NewSession();
        using var bob = app.NewSession();
        // A first visit sets the antiforgery cookie, so it is never stored; the second is, and the third comes from the cache.
        await alice.GetAsync(page);
        var alicesSecond = await alice.GetAsync(page);
        var alicesCached = await alice.GetAsync(page);

        var bobsFirst = await bob.GetAsync(page);
        var alicesAdd = await alice.PostFormAsync(page, "/cart?handler=Add", [new("productId", alicesCached.ProductId), new("quantity", "2")]);
        var bobsAdd = await bob.PostFormAsync(page, "/cart?handler=Add", [new("productId", bobsFirst.ProductId), new("quantity", "1")]);

        Assert.Equal(alicesSecond.Html, alicesCached.Html);
        Assert.NotEqual(alicesCached.AntiforgeryToken, bobsFirst.AntiforgeryToken);
        Assert.Contains(bobsFirst.SetCookies, cookie => cookie.Contains("antiforgery", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, alicesAdd.Status);
        Assert.Equal(HttpStatusCode.Redirect, bobsAdd.Status);
        Assert.Contains("value=\"2\"", (await alice.GetAsync("/cart")).Html, StringComparison.Ordinal);
        Assert.Contains("value=\"1\"", (await bob.GetAsync("/cart")).Html, StringComparison.Ordinal);
        await using var db = app.OpenDatabase();
        Assert.Equal([1, 2], await db.Carts.SelectMany(c => c.Items).Select(i => i.Quantity).OrderBy(q => q).ToListAsync());
    }

    [Fact]
    public async Task A_price_changed_in_the_database_shows_on_the_catalog_pages_once_the_refresh_interval_has_passed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new ShopApp(settings: new Dictionary<string, string?> { ["Catalog:RefreshInterval"] = "00:00:05" },
            testServices: services => services.AddSingleton<TimeProvider>(clock));
        using var visitor = app.NewSession();
        await visitor.GetAsync("/");
        await visitor.GetAsync("/products/field-notebook");
        await visitor.GetAsync("/");
        await visitor.GetAsync("/products/field-notebook");

        await using (var db = app.OpenDatabase())
        {
            await db.Products.Where(p => p.Slug == "field-notebook").ExecuteUpdateAsync(p => p.SetProperty(x => x.PriceMinorUnits, 1500));
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        var catalog = await visitor.GetAsync("/");
        var product = await visitor.GetAsync("/products/field-notebook");

        Assert.Contains("$15.00", catalog.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("$14.00", catalog.Html, StringComparison.Ordinal);
        Assert.Contains("$15.00", product.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_catalog_is_read_from_the_database_once_per_refresh_interval_whatever_the_visitors_ask()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reads = new CatalogReads();
        using var app = new ShopApp(settings: new Dictionary<string, string?> { ["Catalog:RefreshInterval"] = "00:00:05" },
            testServices: services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                reads.AddTo(services);
            });

        var pages = new List<HttpStatusCode>();
        foreach (var path in new[] { "/", "/products/brass-pen", "/products/desk-lamp", "/products/no-such-thing" })
        {
            using var visitor = app.NewSession();
            pages.Add((await visitor.GetAsync(path)).Status);
        }

        var readsInOnePeriod = reads.Count;
        clock.Advance(TimeSpan.FromSeconds(5));
        using (var visitor = app.NewSession())
        {
            pages.Add((await visitor.GetAsync("/")).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK], pages);
        Assert.Equal(1, readsInOnePeriod);
        Assert.Equal(2, reads.Count);
    }

    private sealed class CatalogReads : CommandObserver
    {
        private int _count;

        public int Count => _count;

        public void AddTo(IServiceCollection services) => AddInterceptorTo(services);

        protected override void Observe(DbCommand command)
        {
            if (command.CommandText.Contains(CatalogService.ReadTag, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
