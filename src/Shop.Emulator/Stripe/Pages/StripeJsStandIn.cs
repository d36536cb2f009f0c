using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Serves the Stripe.js stand-in and its stylesheet, embedded in this assembly (stripe-js-stand-in.js,
/// stripe-emulator.css beside this file) rather than in a wwwroot: the shop's web project references this one, and a
/// second wwwroot would be merged into the shop's static web assets and not be found from the shop's content root.
/// </summary>
internal static class StripeJsStandIn
{
    private static readonly string s_script = Embedded("stripe-js-stand-in.js");
    private static readonly string s_styles = Embedded("stripe-emulator.css");

    public static void Map(IEndpointRouteBuilder app)
    {
        // Also answers /v3/ (routing ignores a trailing slash), the form js.stripe.com's snippet uses.
        app.MapGet("/v3", http => WriteAsync(http, "application/javascript; charset=utf-8", s_script));
        app.MapGet("/v3/stripe-emulator.css", http => WriteAsync(http, "text/css; charset=utf-8", s_styles));
    }

    private static Task WriteAsync(HttpContext http, string contentType, string content)
    {
        http.Response.ContentType = contentType;
        http.Response.Headers.CacheControl = "no-cache";
        return http.Response.WriteAsync(content, http.RequestAborted);
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(StripeJsStandIn).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The emulator's assembly lacks its embedded {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
