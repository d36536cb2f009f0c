using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Catalog;

namespace Shop.Benchmarks.StorefrontBaseline;

/// <summary>The catalog read once at start, what the baseline's pages render.</summary>
public sealed record CatalogInMemory(IReadOnlyList<Product> Products, IReadOnlyDictionary<string, Product> BySlug);

/// <summary>
/// The storefront's baseline: a minimal Razor Pages app in the benchmark process that renders the same catalog as the
/// shop, from memory, with the same markup and an antiforgery token in every form (as the shop's pages have); no
/// database, no output cache, no middleware beyond routing.
/// </summary>
public sealed class StorefrontBaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StorefrontBaselineServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<StorefrontBaselineServer> StartAsync(BenchDatabase database)
    {
        List<Product> products;
        await using (var db = database.Open())
        {
            products = await db.Products.AsNoTracking().OrderBy(p => p.Name).ToListAsync();
        }

        var port = ShopProcess.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSingleton(new CatalogInMemory(products, products.ToDictionary(p => p.Slug, StringComparer.Ordinal)));
        builder.Services.AddRazorPages(pages => pages.RootDirectory = "/StorefrontBaseline/Pages")
            .ConfigureApplicationPartManager(parts =>
            {
                // Only this assembly's pages: by default the shop's own pages (a referenced assembly) would be served too.
                var assembly = typeof(StorefrontBaselineServer).Assembly;
                parts.ApplicationParts.Clear();
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    parts.ApplicationParts.Add(part);
                }
            });
        var app = builder.Build();
        app.MapRazorPages();
        await app.StartAsync();
        return new StorefrontBaselineServer(app, port);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
