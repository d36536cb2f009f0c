using Shop.Web.Catalog;
using Shop.Web.Common;
using Shop.Web.Orders;

namespace Shop.Web.Carts;

/// <summary>A server-side cart, found through a random id in the visitor's cookie.</summary>
public sealed class Cart
{
    public const int MaxQuantity = 99;

    public Guid Id { get; set; }

    public List<CartItem> Items { get; set; } = [];

    /// <summary>The order last placed from this cart while it is still unpaid, so checkout updates it instead of creating another.</summary>
    public long? OpenOrderId { get; set; }

    /// <summary>The last order from this cart whose payment Stripe has taken; the cart page links it.</summary>
    public long? PaidOrderId { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency: two checkouts of one cart at once cannot both create an order.</summary>
    public int Version { get; set; }

    public bool IsEmpty => Items.Count == 0;

    public Money Total(string currencyWhenEmpty) =>
        Items.Count == 0
            ? Money.Zero(currencyWhenEmpty)
            : Items.Skip(1).Aggregate(Items[0].LineTotal, (total, item) => total.Plus(item.LineTotal));

    public void Add(Product product, int quantity, DateTimeOffset now)
    {
        var item = Items.FirstOrDefault(i => i.ProductId == product.Id);
        if (item is null)
        {
            Items.Add(new CartItem { ProductId = product.Id, Product = product, Quantity = Math.Min(quantity, MaxQuantity) });
        }
        else
        {
            item.Quantity = Math.Min(item.Quantity + quantity, MaxQuantity);
        }

        Touch(now);
    }

    public bool SetQuantity(int productId, int quantity, DateTimeOffset now)
    {
        var item = Items.FirstOrDefault(i => i.ProductId == productId);
        if (item is null)
        {
            return false;
        }

        item.Quantity = quantity;
        Touch(now);
        return true;
    }

    public bool Remove(int productId, DateTimeOffset now)
    {
        var removed = Items.RemoveAll(i => i.ProductId == productId) > 0;
        if (removed)
        {
            Touch(now);
        }

        return removed;
    }

    /// <summary>
    /// Takes out what the paid order bought, once: the cart then holds only what was added or raised after checkout,
    /// and the next checkout places a new order.
    /// </summary>
    public void SettlePaidOrder(long orderId, IEnumerable<OrderLine> lines, DateTimeOffset now)
    {
        foreach (var line in lines)
        {
            if (Items.FirstOrDefault(i => i.ProductId == line.ProductId) is not { } item)
            {
                continue;
            }

            item.Quantity -= line.Quantity;
            if (item.Quantity <= 0)
            {
                Items.Remove(item);
            }
        }

        OpenOrderId = null;
        PaidOrderId = orderId;
        Touch(now);
    }

    public void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

public sealed class CartItem
{
    public long Id { get; set; }

    public Guid CartId { get; set; }

    public int ProductId { get; set; }

    public Product Product { get; set; } = null!;

    public int Quantity { get; set; }

    public Money LineTotal => Product.Price.Times(Quantity);
}
