using Microsoft.Extensions.Options;
using Shop.Web.Catalog;
using Shop.Web.Common;

namespace Shop.Web;

/// <summary>The "Shop" configuration section.</summary>
public sealed class ShopOptions
{
    public const string SectionName = "Shop";

    /// <summary>ISO 4217 code of the catalog's prices and of every charge, for example "usd" or "jpy".</summary>
    public string Currency { get; set; } = "usd";

    public sealed class Validator : IValidateOptions<ShopOptions>
    {
        public ValidateOptionsResult Validate(string? name, ShopOptions options)
        {
            if (!Money.IsCurrencyCode(options.Currency))
            {
                return ValidateOptionsResult.Fail($"Shop:Currency must be a three-letter ISO 4217 code such as \"usd\"; it is \"{options.Currency}\".");
            }

            return CatalogSeed.Currencies.Contains(options.Currency)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Shop:Currency \"{options.Currency}\" has no demo catalog prices; use one of {string.Join(", ", CatalogSeed.Currencies)}.");
        }
    }
}
