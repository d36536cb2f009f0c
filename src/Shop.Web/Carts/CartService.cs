using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Carts;

public enum CartChange
{
    Done,
    UnknownProduct,
    InvalidQuantity,
}

/// <summary>What a change did, and the id of the cart it made when the visitor had none (for their cookie).</summary>
public sealed record CartChangeResult(CartChange Change, Guid? NewCartId = null);

/// <summary>Loads carts by id and applies changes to them; the page keeps the id in the visitor's cookie.</summary>
public sealed class CartService(ShopDbContext db, TimeProvider time, IOptions<ShopOptions> shop, ILogger<CartService> logger)
{
    // A checkout or a settlement of the same cart can save in between; each round lets one of them through.
    private const int MaxConcurrencyRetries = 8;

    /// <summary>
    /// The cart with its items and their current products, or null. If its order has been paid since, the paid items
    /// are taken out first, so a cart never offers to pay for them again.
    /// </summary>
    public async Task<Cart?> FindAsync(Guid? cartId, CancellationToken cancellationToken)
    {
        // The cart and its order on one connection: one open (and one set of SQLite pragmas) instead of one per query.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            for (var round = 1; ; round++)
            {
                var cart = await LoadAsync(cartId, cancellationToken);
                if (cart is null || !await SettlePaidOrderAsync(cart, cancellationToken))
                {
                    return cart;
                }

                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return cart;
                }
                catch (DbUpdateConcurrencyException) when (round < MaxConcurrencyRetries)
                {
                    logger.LogInformation("Cart changed while its paid order was settled; loading it again (attempt {Attempt})", round);
                    db.ChangeTracker.Clear();
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The order last paid from this cart, for the cart page's link to it.</summary>
    public async Task<Order?> FindPaidOrderAsync(Cart cart, CancellationToken cancellationToken) =>
        cart.PaidOrderId is { } orderId
            ? await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken)
            : null;

    public async Task<CartChangeResult> AddAsync(Guid? cartId, int productId, int quantity, CancellationToken cancellationToken)
    {
        if (!IsValidQuantity(quantity))
        {
            return new CartChangeResult(CartChange.InvalidQuantity);
        }

        if (await db.Products.FindAsync([productId], cancellationToken) is null)
        {
            return new CartChangeResult(CartChange.UnknownProduct);
        }

        // The product is looked up again inside each round: a retry starts from a cleared change tracker.
        var change = await ChangeAsync(cartId, async (cart, now) =>
        {
            cart.Add((await db.Products.FindAsync([productId], cancellationToken))!, quantity, now);
            return true;
        }, cancellationToken);
        if (change == CartChange.Done)
        {
            return new CartChangeResult(change);
        }

        var created = new Cart { Id = Guid.NewGuid(), UpdatedAt = time.GetUtcNow() };
        created.Add((await db.Products.FindAsync([productId], cancellationToken))!, quantity, time.GetUtcNow());
        db.Carts.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        return new CartChangeResult(CartChange.Done, created.Id);
    }

    public async Task<CartChange> SetQuantityAsync(Guid? cartId, int productId, int quantity, CancellationToken cancellationToken) =>
        IsValidQuantity(quantity)
            ? await ChangeAsync(cartId, (cart, now) => Task.FromResult(cart.SetQuantity(productId, quantity, now)), cancellationToken)
            : CartChange.InvalidQuantity;

    public Task<CartChange> RemoveAsync(Guid? cartId, int productId, CancellationToken cancellationToken) =>
        ChangeAsync(cartId, (cart, now) => Task.FromResult(cart.Remove(productId, now)), cancellationToken);

    /// <summary>Applies a change to the cart and saves it, again on a fresh copy if a checkout saved the cart in between.</summary>
    /// <returns><see cref="CartChange.UnknownProduct"/> when there is no cart or the change did not apply.</returns>
    private async Task<CartChange> ChangeAsync(Guid? cartId, Func<Cart, DateTimeOffset, Task<bool>> change, CancellationToken cancellationToken)
    {
        for (var round = 1; ; round++)
        {
            var cart = await FindAsync(cartId, cancellationToken);
            if (cart is null || !await change(cart, time.GetUtcNow()))
            {
                return CartChange.UnknownProduct;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return CartChange.Done;
            }
            catch (DbUpdateConcurrencyException) when (round < MaxConcurrencyRetries)
            {
                logger.LogInformation("Cart changed concurrently; applying the change again (attempt {Attempt})", round);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The cart, unless it was left untouched longer than Shop:CartLifetime: then the visitor starts a new one.</summary>
    private async Task<Cart?> LoadAsync(Guid? cartId, CancellationToken cancellationToken)
    {
        if (cartId is not { } id)
        {
            return null;
        }

        var touchedSince = time.GetUtcNow() - shop.Value.CartLifetime;
        return await db.Carts.Include(c => c.Items).ThenInclude(i => i.Product)
            .FirstOrDefaultAsync(c => c.Id == id && c.UpdatedAt >= touchedSince, cancellationToken);
    }

    /// <summary>Takes the open order's items out of the cart once Stripe has its payment; false when there is nothing to settle.</summary>
    private async Task<bool> SettlePaidOrderAsync(Cart cart, CancellationToken cancellationToken)
    {
        if (cart.OpenOrderId is not { } orderId)
        {
            return false;
        }

        // Tracked: checkout goes on with this same order, found again without another query.
        var order = await db.Orders.FindAsync([orderId], cancellationToken);
        if (order is null || !IsPaymentUnderway(order))
        {
            return false;
        }

        cart.SettlePaidOrder(order.Id, order.Lines, time.GetUtcNow());
        logger.LogInformation("Cart emptied of order {OrderId}, which is {Status}", order.PublicId, order.Status);
        return true;
    }

    /// <summary>
    /// Stripe has the money or is moving it (processing includes an authorisation awaiting capture, and a later failure
    /// is paid again from the order page): every status except the open ones and a cancellation.
    /// </summary>
    private static bool IsPaymentUnderway(Order order) => !order.IsOpenForPayment && order.Status != OrderStatus.Canceled;

    private static bool IsValidQuantity(int quantity) => quantity is >= 1 and <= Cart.MaxQuantity;
}
