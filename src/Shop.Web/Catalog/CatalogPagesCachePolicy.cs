using System.Globalization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Shop.Web.Catalog;

/// <summary>
/// Output caching of the catalog pages, keyed by everything they vary by. Each page carries the visitor's antiforgery
/// token and may one day show their cart, and both come from the visitor's cookies: the key holds the whole Cookie
/// header, so a page is only ever served again to the visitor it was rendered for. A response that sets a cookie (a
/// first visit's new antiforgery cookie) is not stored, and the catalog's refresh period is in the key, so no page
/// outlives the catalog it shows.
/// </summary>
public sealed class CatalogPagesCachePolicy : IOutputCachePolicy
{
    public const string Name = "CatalogPages";

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var cacheable = (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            && http.Request.Headers.Authorization.Count == 0
            && http.User.Identity?.IsAuthenticated != true;
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = http.RequestServices.GetRequiredService<IOptions<CatalogOptions>>().Value.RefreshInterval;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.HeaderNames = HeaderNames.Cookie;
        context.CacheVaryByRules.VaryByValues["catalog"] =
            http.RequestServices.GetRequiredService<CatalogService>().CurrentPeriod.ToString(CultureInfo.InvariantCulture);
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}
