using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Catalog;

/// <summary>The demo catalog, written once into an empty database, priced in the shop's currency.</summary>
public static class CatalogSeed
{
    private sealed record DemoProduct(string Slug, string Name, string Description, string Image, Dictionary<string, long> Prices);

    // Prices per currency in minor units, so a zero-decimal currency such as JPY gets real yen amounts: one for each of ShopCurrencies.All.
    private static readonly DemoProduct[] s_products =
    [
        new("field-notebook", "Field notebook", "A5 dot-grid notebook, 96 pages of 100 gsm paper, lies flat.", "/images/notebook.svg",
            new() { ["usd"] = 1400, ["eur"] = 1300, ["gbp"] = 1100, ["jpy"] = 2100 }),
        new("brass-pen", "Brass pen", "Machined brass ballpoint that takes standard refills and ages with use.", "/images/pen.svg",
            new() { ["usd"] = 4500, ["eur"] = 4200, ["gbp"] = 3600, ["jpy"] = 6800 }),
        new("canvas-tote", "Canvas tote", "Heavy cotton canvas tote with an inside pocket for your notebook.", "/images/tote.svg",
            new() { ["usd"] = 2400, ["eur"] = 2200, ["gbp"] = 1900, ["jpy"] = 3600 }),
        new("desk-lamp", "Desk lamp", "Warm 2700 K LED lamp with a dimmer and a weighted steel base.", "/images/lamp.svg",
            new() { ["usd"] = 8900, ["eur"] = 8300, ["gbp"] = 7200, ["jpy"] = 13500 }),
    ];

    /// <summary>
    /// Inserts the demo products into a catalog that has none. Insert-if-absent, in one transaction: instances starting at
    /// once on an empty database (two SQLite processes, or PostgreSQL instances should the start-up lock be bypassed) end
    /// with one complete catalog, never a duplicate-key failure or half a catalog.
    /// </summary>
    public static async Task SeedAsync(ShopDbContext db, string currency, CancellationToken cancellationToken)
    {
        if (await db.Products.AnyAsync(cancellationToken))
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var demo in s_products)
        {
            // ON CONFLICT DO NOTHING is the same SQL on SQLite and PostgreSQL; the names are the model's (see ShopDbContext).
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "Products" ("Slug", "Name", "Description", "ImagePath", "PriceMinorUnits", "Currency")
                VALUES ({demo.Slug}, {demo.Name}, {demo.Description}, {demo.Image}, {demo.Prices[currency]}, {currency})
                ON CONFLICT ("Slug") DO NOTHING
                """, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
