using Microsoft.Extensions.Options;
using Shop.Web.Security;

namespace Shop.Web.Payments;

/// <summary>Adds the configured Stripe.js origin to the Content-Security-Policy, and the hosts Stripe.js talks to when it is Stripe's own.</summary>
public sealed class StripeContentSecurity(IOptions<StripeOptions> stripe) : IConfigureOptions<ContentSecuritySources>
{
    public void Configure(ContentSecuritySources sources)
    {
        var jsUrl = stripe.Value.JsUrl;
        var js = jsUrl.GetLeftPart(UriPartial.Authority);
        sources.Scripts.Add(js);
        sources.Styles.Add(js);
        sources.Frames.Add(js);
        if (!jsUrl.Host.Equals("js.stripe.com", StringComparison.OrdinalIgnoreCase))
        {
            // A stand-in (the emulator, a test's host) serves everything from its own origin.
            sources.Connections.Add(js);
            sources.Images.Add(js);
            return;
        }

        // Stripe's documented CSP for Stripe.js and the Payment Element.
        sources.Frames.Add("https://hooks.stripe.com");
        sources.Connections.AddRange(["https://api.stripe.com", "https://m.stripe.network", "https://q.stripe.com"]);
        sources.Images.Add("https://*.stripe.com");
    }
}
