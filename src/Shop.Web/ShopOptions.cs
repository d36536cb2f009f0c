using Microsoft.Extensions.Options;
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

    /// <summary>How long a cart left untouched is kept for its visitor (the cookie's age too); older ones are abandoned.</summary>
    public TimeSpan CartLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Where notices for the shop's people go (a dispute opened, with its evidence deadline); none are sent when empty.</summary>
    public string? OperatorsEmail { get; set; }

    /// <summary>The shop's absolute URL for a path such as "orders/ord_…", keeping any path the base URL has.</summary>
    public Uri Link(string relativePath)
    {
        var root = PublicBaseUrl.AbsoluteUri.EndsWith('/') ? PublicBaseUrl : new Uri(PublicBaseUrl.AbsoluteUri + "/");
        return new Uri(root, relativePath);
    }

    /// <summary>Outside a developer's machine the public address must be given: the request's Host header is the client's
    /// to choose, and return URLs and email links must never follow it.</summary>
    public sealed class Validator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<ShopOptions>
    {
        public ValidateOptionsResult Validate(string? name, ShopOptions options)
        {
            // Every error at once: a start names all of them, not one per attempt.
            var errors = new List<string>();
            if (!environment.IsLocal() && string.IsNullOrWhiteSpace(configuration[$"{SectionName}:{nameof(PublicBaseUrl)}"]))
            {
                errors.Add($"Shop:PublicBaseUrl is required in {environment.EnvironmentName}, for example \"https://shop.example.com\": return URLs and email links are built from it.");
            }

            if (options.CartLifetime < TimeSpan.FromHours(1) || options.CartLifetime > TimeSpan.FromDays(365))
            {
                errors.Add("Shop:CartLifetime must be between 01:00:00 and 365.00:00:00 (default 30.00:00:00).");
            }

            if (!options.PublicBaseUrl.IsAbsoluteUri || options.PublicBaseUrl.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(options.PublicBaseUrl.Query) || !string.IsNullOrEmpty(options.PublicBaseUrl.Fragment))
            {
                errors.Add($"Shop:PublicBaseUrl must be an absolute http(s) URL without query, such as \"https://shop.example.com\"; it is \"{options.PublicBaseUrl}\".");
            }

            if (!Money.IsCurrencyCode(options.Currency))
            {
                errors.Add($"Shop:Currency must be a three-letter ISO 4217 code such as \"usd\"; it is \"{options.Currency}\".");
            }
            else if (!ShopCurrencies.All.Contains(options.Currency))
            {
                errors.Add($"Shop:Currency \"{options.Currency}\" has no demo catalog prices; use one of {string.Join(", ", ShopCurrencies.All)}.");
            }

            if (!string.IsNullOrWhiteSpace(options.OperatorsEmail) && !MimeKit.MailboxAddress.TryParse(options.OperatorsEmail, out _))
            {
                errors.Add($"Shop:OperatorsEmail must be an email address such as \"payments@shop.example.com\"; it is \"{options.OperatorsEmail}\".");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

public static class ShopOptionsExtensions
{
    /// <summary>The shop-wide settings (currency, public address), the currency lowercased, checked before the first request.</summary>
    public static IHostApplicationBuilder AddShopOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShopOptions>().BindConfiguration(ShopOptions.SectionName)
            .PostConfigure(shop => shop.Currency = shop.Currency?.ToLowerInvariant() ?? "")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShopOptions>, ShopOptions.Validator>();
        return builder;
    }
}
