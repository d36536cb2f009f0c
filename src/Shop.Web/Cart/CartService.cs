using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Cart;

public enum CartChange
{
    Done,
    UnknownProduct,
    InvalidQuantity,
}

/// <summary>Finds the visitor's cart through the cart cookie and applies changes to it.</summary>
public sealed class CartService(ShopDbContext db, IHttpContextAccessor httpContextAccessor, TimeProvider time)
{
    public const string CookieName = "shop_cart";

    private HttpContext Http => httpContextAccessor.HttpContext
        ?? throw new InvalidOperationException("The cart is only available during a request.");

    /// <summary>The visitor's cart, or null when they have none yet. Loads items with their current products.</summary>
    public async Task<Cart?> FindAsync(CancellationToken cancellationToken)
    {
        if (!Http.Request.Cookies.TryGetValue(CookieName, out var raw) || !Guid.TryParse(raw, out var id))
        {
            return null;
        }

        return await db.Carts
            .Include(c => c.Items).ThenInclude(i => i.Product)
            .FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
    }

    public async Task<CartChange> AddAsync(int productId, int quantity, CancellationToken cancellationToken)
    {
        if (!IsValidQuantity(quantity))
        {
            return CartChange.InvalidQuantity;
        }

        var product = await db.Products.FindAsync([productId], cancellationToken);
        if (product is null)
        {
            return CartChange.UnknownProduct;
        }

        var cart = await FindAsync(cancellationToken) ?? Create();
        cart.Add(product, quantity, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return CartChange.Done;
    }

    public async Task<CartChange> SetQuantityAsync(int productId, int quantity, CancellationToken cancellationToken)
    {
        if (!IsValidQuantity(quantity))
        {
            return CartChange.InvalidQuantity;
        }

        var cart = await FindAsync(cancellationToken);
        if (cart is null || !cart.SetQuantity(productId, quantity, time.GetUtcNow()))
        {
            return CartChange.UnknownProduct;
        }

        await db.SaveChangesAsync(cancellationToken);
        return CartChange.Done;
    }

    public async Task<CartChange> RemoveAsync(int productId, CancellationToken cancellationToken)
    {
        var cart = await FindAsync(cancellationToken);
        if (cart is null || !cart.Remove(productId, time.GetUtcNow()))
        {
            return CartChange.UnknownProduct;
        }

        await db.SaveChangesAsync(cancellationToken);
        return CartChange.Done;
    }

    private static bool IsValidQuantity(int quantity) => quantity is >= 1 and <= Cart.MaxQuantity;

    private Cart Create()
    {
        var cart = new Cart { Id = Guid.NewGuid(), UpdatedAt = time.GetUtcNow() };
        db.Carts.Add(cart);
        Http.Response.Cookies.Append(CookieName, cart.Id.ToString("N"), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = Http.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(30),
        });
        return cart;
    }
}
