using Shop.Web.Common;

namespace Shop.Web.Security;

/// <summary>
/// The one decision on how the shop's cookies (cart, antiforgery, admin sign-in) are named and sent. In a deployment they
/// are "__Host-" prefixed and Secure: the browser then keeps each to this exact host over https, so no sibling subdomain
/// or plain-http page can set or overwrite it. On a developer's machine they keep their plain names and work over http.
/// </summary>
public sealed class ShopCookies(bool secure)
{
    public const string HostPrefix = "__Host-";

    /// <summary>Whether cookies are Secure and "__Host-" prefixed.</summary>
    public bool Secure => secure;

    /// <summary>
    /// Secure in every deployment, except one whose public address is plain http on this machine's loopback
    /// (scripts/cluster.sh behind nginx), where a Secure cookie would never come back.
    /// </summary>
    public static ShopCookies For(IHostEnvironment environment, IConfiguration configuration) => new(
        !environment.IsLocal()
        && !(Uri.TryCreate(configuration[$"{ShopOptions.SectionName}:{nameof(ShopOptions.PublicBaseUrl)}"], UriKind.Absolute, out var url)
            && url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    public string Name(string name) => secure ? HostPrefix + name : name;

    /// <summary>Names a cookie ASP.NET Core writes itself (antiforgery, sign-in) by the same rule.</summary>
    public void Apply(CookieBuilder cookie, string name)
    {
        cookie.Name = Name(name);
        if (secure)
        {
            // __Host- requires Secure, path / and no domain, or the browser drops the cookie.
            cookie.SecurePolicy = CookieSecurePolicy.Always;
            cookie.Path = "/";
            cookie.Domain = null;
        }
    }
}
