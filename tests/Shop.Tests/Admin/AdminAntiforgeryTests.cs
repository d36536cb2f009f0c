using System.Net;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Admin;

public sealed class AdminAntiforgeryTests : IDisposable
{
    private readonly ShopApp _app = new();

    [Fact]
    public async Task Every_admin_post_without_an_antiforgery_token_is_refused()
    {
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();
        var posts = AdminPostHandlers();

        var answers = new List<string>();
        foreach (var url in posts)
        {
            using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("confirm", "true")]);
            using var response = await admin.Client.PostAsync(url, content);
            answers.Add($"{url} {(int)response.StatusCode}");
        }

        Assert.Contains("/admin/logout", posts);
        Assert.All(answers, answer => Assert.EndsWith(" 400", answer, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin")).Status);
    }

    /// <summary>Every POST handler of every page under /admin, found in the shop's own endpoints, so a new one is tested too.</summary>
    private List<string> AdminPostHandlers()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var posts = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var page = endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>();
            if (page is null || !page.ViewEnginePath.StartsWith("/Admin/", StringComparison.Ordinal))
            {
                continue;
            }

            // Route values get a placeholder: antiforgery is checked before any page looks its order up.
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment =>
                string.Concat(segment.Parts.Select(part => part is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal ? literal.Content : "ord_0"))));
            foreach (var handler in page.HandlerMethods.Where(h => h.HttpMethod == "Post"))
            {
                posts.Add(handler.Name is null ? path : $"{path}?handler={handler.Name}");
            }
        }

        return posts;
    }

    public void Dispose() => _app.Dispose();
}
