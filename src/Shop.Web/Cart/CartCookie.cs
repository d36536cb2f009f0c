using Microsoft.Extensions.Options;
using Shop.Web.Security;

namespace Shop.Web.Cart;

/// <summary>
/// The visitor's cart id, kept in a cookie by the pages; services take the id as an argument. Outside a developer's machine
/// the cookie is "__Host-" prefixed and Secure: the browser then keeps it to this exact host over https, so no sibling
/// subdomain or plain-http page can set or overwrite it.
/// </summary>
public static class CartCookie
{
    public const string LocalName = "shop_cart";

    public const string DeployedName = "__Host-shop_cart";

    public static Guid? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(NameFor(request.HttpContext), out var raw) && Guid.TryParse(raw, out var id) ? id : null;

    public static void Write(HttpResponse response, Guid cartId)
    {
        response.Cookies.Append(NameFor(response.HttpContext), cartId.ToString("N"), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = SecureCookies(response.HttpContext) || response.HttpContext.Request.IsHttps,
            Path = "/",
            MaxAge = response.HttpContext.RequestServices.GetRequiredService<IOptions<ShopOptions>>().Value.CartLifetime,
        });
    }

    private static string NameFor(HttpContext context) => SecureCookies(context) ? DeployedName : LocalName;

    private static bool SecureCookies(HttpContext context) =>
        context.RequestServices.GetRequiredService<IHostEnvironment>().UsesSecureCookies(context.RequestServices.GetRequiredService<IConfiguration>());
}
