using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.Data;

namespace Shop.Web.Catalog;

/// <summary>
/// The catalog from memory, shared by every request: read from the database once per refresh period. Periods are cut
/// from the clock (not from the last read), so every instance moves to a new period at the same moment and a change
/// made anywhere shows everywhere within one <see cref="CatalogOptions.RefreshInterval"/>.
/// </summary>
public sealed class CatalogService(IServiceScopeFactory scopes, TimeProvider time, IOptions<CatalogOptions> options) : IDisposable
{
    /// <summary>Tags the catalog's read in SQL, so logs and tests can tell it apart.</summary>
    public const string ReadTag = "catalog snapshot";

    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>The refresh period now; cached catalog pages are keyed by it, so none outlives the catalog it shows.</summary>
    public long CurrentPeriod => time.GetUtcNow().UtcTicks / options.Value.RefreshInterval.Ticks;

    public async ValueTask<IReadOnlyList<Product>> ListAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Products;

    public async ValueTask<Product?> FindBySlugAsync(string slug, CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).BySlug.GetValueOrDefault(slug);

    private async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        // The period is taken before the read, so a snapshot is never older than the period it is labelled with.
        var period = CurrentPeriod;
        if (_snapshot is { } current && current.Period >= period)
        {
            return current;
        }

        // One read per period, not one per request waiting at the start of a period.
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot is { } read && read.Period >= period)
            {
                return read;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
            var products = await db.Products.TagWith(ReadTag).AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
            return _snapshot = new Snapshot(period, products, products.ToDictionary(p => p.Slug, StringComparer.Ordinal));
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();

    // Shared by concurrent requests: read only, never changed after it is built.
    private sealed record Snapshot(long Period, IReadOnlyList<Product> Products, Dictionary<string, Product> BySlug);
}
