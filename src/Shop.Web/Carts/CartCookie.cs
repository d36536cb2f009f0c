using Microsoft.Extensions.Options;
using Shop.Web.Security;

namespace Shop.Web.Carts;

/// <summary>
/// The visitor's cart id, kept in a cookie by the pages; services take the id as an argument. Named and secured as
/// <see cref="ShopCookies"/> decides for every cookie of the shop.
/// </summary>
public static class CartCookie
{
    public const string Name = "shop_cart";

    public static Guid? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(NameFor(request.HttpContext), out var raw) && Guid.TryParse(raw, out var id) ? id : null;

    public static void Write(HttpResponse response, Guid cartId)
    {
        response.Cookies.Append(NameFor(response.HttpContext), cartId.ToString("N"), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = Cookies(response.HttpContext).Secure || response.HttpContext.Request.IsHttps,
            Path = "/",
            MaxAge = response.HttpContext.RequestServices.GetRequiredService<IOptions<ShopOptions>>().Value.CartLifetime,
        });
    }

    private static string NameFor(HttpContext context) => Cookies(context).Name(Name);

    private static ShopCookies Cookies(HttpContext context) => context.RequestServices.GetRequiredService<ShopCookies>();
}
