using Microsoft.Extensions.Options;

namespace Shop.Web.Security;

/// <summary>
/// Security headers on every response. The Content-Security-Policy allows scripts, frames and API calls only from the shop
/// itself and the origins features add (<see cref="ContentSecuritySources"/>: Payments adds Stripe.js's).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IOptions<ContentSecuritySources> sources)
{
    private readonly string _contentSecurityPolicy = BuildPolicy(sources.Value);

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = _contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(self)";
        return next(context);
    }

    public static string BuildPolicy(ContentSecuritySources sources) =>
        string.Join("; ",
            "default-src 'self'",
            Directive("script-src", ["'self'", .. sources.Scripts]),
            Directive("style-src", ["'self'", .. sources.Styles]),
            // No frames of the shop's own: only what a feature embeds.
            Directive("frame-src", sources.Frames.Count == 0 ? ["'none'"] : sources.Frames),
            Directive("connect-src", ["'self'", .. sources.Connections]),
            Directive("img-src", ["'self'", "data:", .. sources.Images]),
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    private static string Directive(string name, IEnumerable<string> sources) => $"{name} {string.Join(' ', sources.Distinct())}";
}
