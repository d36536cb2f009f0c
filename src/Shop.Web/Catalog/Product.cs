using Shop.Web.Common;

namespace Shop.Web.Catalog;

public sealed class Product
{
    public int Id { get; set; }

    /// <summary>The product's address in URLs, for example "/products/field-notebook".</summary>
    public required string Slug { get; set; }

    public required string Name { get; set; }

    public required string Description { get; set; }

    /// <summary>Path under wwwroot of the product's picture.</summary>
    public required string ImagePath { get; set; }

    public long PriceMinorUnits { get; set; }

    public required string Currency { get; set; }

    public Money Price => new(PriceMinorUnits, Currency);
}
