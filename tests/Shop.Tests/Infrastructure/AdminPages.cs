using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Tests.Infrastructure;

/// <summary>Every page under /admin, found in the shop's own endpoints, so a page added later is tested too.</summary>
public static class AdminPages
{
    /// <summary>
    /// The address of each of their handlers for this HTTP method ("Get" or "Post"), with "?handler=" for named ones; a
    /// page answers GET even without a GET handler. Route values get a placeholder: authorization and antiforgery are
    /// checked before any page looks its order up.
    /// </summary>
    public static List<string> Handlers(IServiceProvider services, string httpMethod)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var addresses = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var page = endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>();
            if (page is null || !page.ViewEnginePath.StartsWith("/Admin/", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment =>
                string.Concat(segment.Parts.Select(part => part is RoutePatternLiteralPart literal ? literal.Content : "ord_0"))));
            var handlers = page.HandlerMethods.Where(h => h.HttpMethod == httpMethod).ToList();
            if (httpMethod == "Get" && handlers.All(h => h.Name is not null))
            {
                addresses.Add(path);
            }

            addresses.AddRange(handlers.Select(h => h.Name is null ? path : $"{path}?handler={h.Name}"));
        }

        return addresses;
    }
}
