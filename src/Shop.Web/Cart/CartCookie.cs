namespace Shop.Web.Cart;

/// <summary>The visitor's cart id, kept in a cookie by the pages; services take the id as an argument.</summary>
public static class CartCookie
{
    public const string Name = "shop_cart";

    public static Guid? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(Name, out var raw) && Guid.TryParse(raw, out var id) ? id : null;

    public static void Write(HttpResponse response, Guid cartId) =>
        response.Cookies.Append(Name, cartId.ToString("N"), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = response.HttpContext.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(30),
        });
}
