using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Carts;

public sealed class CartTests : IDisposable
{
    private readonly ShopApp _app = new();

    [Fact]
    public async Task Adding_twice_adds_up_and_the_total_comes_from_the_server()
    {
        using var session = _app.NewSession();

        await session.AddToCartAsync("field-notebook", 2);
        await session.AddToCartAsync("field-notebook");
        var cart = await session.GetAsync("/cart");

        Assert.Contains("value=\"3\"", cart.Html, StringComparison.Ordinal);
        Assert.Contains("<th id=\"cart-total\">$42.00</th>", cart.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    [InlineData("-1")]
    [InlineData("two")]
    public async Task A_quantity_outside_1_to_99_is_refused_and_the_cart_is_unchanged(string quantity)
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("field-notebook", 2);
        var product = await session.GetAsync("/products/field-notebook");

        var page = await session.PostFormAsync("/cart", "/cart?handler=Update", [new("productId", product.ProductId), new("quantity", quantity)]);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("Quantity must be a whole number from 1 to 99.", page.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        Assert.Equal(2, (await db.Carts.Include(c => c.Items).SingleAsync()).Items.Single().Quantity);
    }

    [Fact]
    public async Task Adding_an_unknown_product_is_404()
    {
        using var session = _app.NewSession();

        var page = await session.PostFormAsync("/", "/cart?handler=Add", [new("productId", "9999"), new("quantity", "1")]);

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
    }

    [Fact]
    public async Task Removing_an_item_empties_the_cart()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        var product = await session.GetAsync("/products/brass-pen");

        var removed = await session.PostFormAsync("/cart", "/cart?handler=Remove", [new("productId", product.ProductId)]);
        var cart = await session.GetAsync("/cart");

        Assert.Equal(HttpStatusCode.Redirect, removed.Status);
        Assert.Contains("Your cart is empty.", cart.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Carts_are_separate_per_visitor()
    {
        using var alice = _app.NewSession();
        using var bob = _app.NewSession();

        await alice.AddToCartAsync("desk-lamp");
        var bobsCart = await bob.GetAsync("/cart");

        Assert.Contains("Your cart is empty.", bobsCart.Html, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();
}
