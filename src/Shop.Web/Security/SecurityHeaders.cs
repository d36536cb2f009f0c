using Microsoft.Extensions.Options;
using Shop.Web.Payments;

namespace Shop.Web.Security;

/// <summary>
/// Security headers on every response. The Content-Security-Policy allows scripts, frames and API calls only from the shop
/// itself and the configured Stripe.js origin (plus the Stripe hosts Stripe.js itself talks to, when it is Stripe's own).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IOptions<StripeOptions> stripeOptions)
{
    private readonly string _contentSecurityPolicy = BuildPolicy(stripeOptions.Value.JsUrl);

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

    public static string BuildPolicy(Uri jsUrl)
    {
        var js = jsUrl.GetLeftPart(UriPartial.Authority);
        var isStripe = jsUrl.Host.Equals("js.stripe.com", StringComparison.OrdinalIgnoreCase);

        // Stripe's documented CSP for Stripe.js and the Payment Element.
        var frames = isStripe ? $"{js} https://hooks.stripe.com" : js;
        var connect = isStripe ? "'self' https://api.stripe.com https://m.stripe.network https://q.stripe.com" : $"'self' {js}";
        var images = isStripe ? "'self' data: https://*.stripe.com" : $"'self' data: {js}";

        return string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' {js}",
            $"style-src 'self' {js}",
            $"frame-src {frames}",
            $"connect-src {connect}",
            $"img-src {images}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    }
}
