using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Serves the Stripe.js stand-in and its stylesheet. They are kept as C# string constants (in
/// StripeJsStandIn.Script.cs and .Styles.cs) rather than wwwroot files so that they travel inside the
/// assembly: the shop's web project references this one, and a second wwwroot would be merged into the
/// shop's static web assets and would not be found from the shop's content root.
/// </summary>
internal static partial class StripeJsStandIn
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Also answers /v3/ (routing ignores a trailing slash), the form js.stripe.com's snippet uses.
        app.MapGet("/v3", http => WriteAsync(http, "application/javascript; charset=utf-8", Script));
        app.MapGet("/v3/stripe-emulator.css", http => WriteAsync(http, "text/css; charset=utf-8", Styles));
    }

    private static Task WriteAsync(HttpContext http, string contentType, string content)
    {
        http.Response.ContentType = contentType;
        http.Response.Headers.CacheControl = "no-cache";
        return http.Response.WriteAsync(content, http.RequestAborted);
    }
}
