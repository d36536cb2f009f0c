using Microsoft.Extensions.Options;

namespace Shop.Web.Catalog;

public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>
    /// How often each instance reads the catalog again, and so the longest a change made in the database waits before
    /// the catalog pages show it. Cart and checkout always price from the database.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    public sealed class Validator : IValidateOptions<CatalogOptions>
    {
        public ValidateOptionsResult Validate(string? name, CatalogOptions options) =>
            options.RefreshInterval > TimeSpan.Zero && options.RefreshInterval <= TimeSpan.FromHours(1)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{SectionName}:RefreshInterval must be more than 0 and at most 01:00:00 (was {options.RefreshInterval}).");
    }
}
