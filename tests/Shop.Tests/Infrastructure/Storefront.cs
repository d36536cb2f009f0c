using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Infrastructure;

/// <summary>What a customer does in the shop's pages, step by step, for any shop a browser can reach.</summary>
public static partial class Storefront
{
    /// <summary>Puts the $24.00 canvas tote in the cart and checks out, up to the payment page of a new order.</summary>
    public static async Task BuyCanvasToteAsync(IPage page, string email)
    {
        await AddCanvasToteAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Checkout" }).ClickAsync();
        await CheckOutAsync(page, email);
    }

    /// <summary>Puts the $24.00 canvas tote in an empty cart, ending on the cart page.</summary>
    public static async Task AddCanvasToteAsync(IPage page)
    {
        await page.GotoAsync("/products/canvas-tote");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to cart" }).ClickAsync();
        await Expect(page.Locator("#cart-total")).ToHaveTextAsync("$24.00");
    }

    /// <summary>On the checkout page: fills in who and where, and continues to the payment page of a new order.</summary>
    public static async Task CheckOutAsync(IPage page, string email)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Full name").FillAsync("Test Customer");
        await page.GetByLabel("Address", new() { Exact = true }).FillAsync("1 Test Street");
        await page.GetByLabel("City").FillAsync("Testville");
        await page.GetByLabel("Postal code").FillAsync("12345");
        await page.GetByLabel("Country").SelectOptionAsync("US");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/orders/ord_[0-9a-f]+/pay$"));
    }

    public static async Task PayAsync(IPage page, string cardNumber)
    {
        await page.Locator("input[name=cardnumber]").FillAsync(cardNumber);
        await page.Locator("input[name=exp-date]").FillAsync("12 / 34");
        await page.Locator("input[name=cvc]").FillAsync("123");
        await page.Locator("#pay-button").ClickAsync();
    }

    /// <summary>The public id of the order whose page (or payment page) the browser shows.</summary>
    public static string OrderIdIn(IPage page) =>
        OrderInUrl().Match(page.Url) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"No order in {page.Url}.");

    [GeneratedRegex("/orders/(ord_[0-9a-f]+)")]
    private static partial Regex OrderInUrl();
}
