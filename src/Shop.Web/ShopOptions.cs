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

    /// <summary>Where customers reach the shop; links in emails start here, since no request tells the sender its address.</summary>
    public Uri PublicBaseUrl { get; set; } = new("http://localhost:5000");

    /// <summary>Where notices for the shop's people go (a dispute opened, with its evidence deadline); none are sent when empty.</summary>
    public string? OperatorsEmail { get; set; }

    /// <summary>The shop's absolute URL for a path such as "orders/ord_…", keeping any path the base URL has.</summary>
    public Uri Link(string relativePath)
    {
        var root = PublicBaseUrl.AbsoluteUri.EndsWith('/') ? PublicBaseUrl : new Uri(PublicBaseUrl.AbsoluteUri + "/");
        return new Uri(root, relativePath);
    }

    public sealed class Validator : IValidateOptions<ShopOptions>
    {
        public ValidateOptionsResult Validate(string? name, ShopOptions options)
        {
            if (!options.PublicBaseUrl.IsAbsoluteUri || options.PublicBaseUrl.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(options.PublicBaseUrl.Query) || !string.IsNullOrEmpty(options.PublicBaseUrl.Fragment))
            {
                return ValidateOptionsResult.Fail($"Shop:PublicBaseUrl must be an absolute http(s) URL without query, such as \"https://shop.example.com\"; it is \"{options.PublicBaseUrl}\".");
            }

            if (!Money.IsCurrencyCode(options.Currency))
            {
                return ValidateOptionsResult.Fail($"Shop:Currency must be a three-letter ISO 4217 code such as \"usd\"; it is \"{options.Currency}\".");
            }

            if (!string.IsNullOrWhiteSpace(options.OperatorsEmail) && !MimeKit.MailboxAddress.TryParse(options.OperatorsEmail, out _))
            {
                return ValidateOptionsResult.Fail($"Shop:OperatorsEmail must be an email address such as \"payments@shop.example.com\"; it is \"{options.OperatorsEmail}\".");
            }

            return CatalogSeed.Currencies.Contains(options.Currency)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Shop:Currency \"{options.Currency}\" has no demo catalog prices; use one of {string.Join(", ", CatalogSeed.Currencies)}.");
        }
    }
}
