using System.Net;
using System.Text.RegularExpressions;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Orders;

public sealed partial class OrderLookupTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public OrderLookupTests() => _app = new ShopApp(_stripe);

    [Fact]
    public async Task The_order_number_with_the_email_it_was_placed_with_leads_to_the_order_page()
    {
        var order = await _app.PlaceOrderAsync();
        using var session = _app.NewSession();

        var found = await LookUpAsync(session, "  ADA@Example.com ", order.PublicId);

        Assert.Equal(HttpStatusCode.Redirect, found.Status);
        Assert.Equal($"/orders/{order.PublicId}", found.Location?.OriginalString);
    }

    [Fact]
    public async Task An_unknown_order_number_and_a_wrong_email_get_the_same_answer()
    {
        var order = await _app.PlaceOrderAsync();
        var other = await _app.PlaceOrderAsync(customer: new Dictionary<string, string> { ["Input.Email"] = "grace@example.com" });
        using var session = _app.NewSession();

        var unknownOrder = await LookUpAsync(session, "ada@example.com", "ord_000000000000000000000000");
        var wrongEmail = await LookUpAsync(session, "grace@example.com", order.PublicId);

        Assert.Equal(HttpStatusCode.NotFound, unknownOrder.Status);
        Assert.Equal(HttpStatusCode.NotFound, wrongEmail.Status);
        Assert.Contains("id=\"lookup-not-found\"", wrongEmail.Html, StringComparison.Ordinal);
        Assert.Equal(
            Comparable(unknownOrder.Html, "ada@example.com", "ord_000000000000000000000000"),
            Comparable(wrongEmail.Html, "grace@example.com", order.PublicId));
        Assert.DoesNotContain(other.PublicId, wrongEmail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_form_is_answered_with_what_to_fill_in()
    {
        using var session = _app.NewSession();

        var page = await LookUpAsync(session, "", " ");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Contains("Enter the email address you ordered with.", page.Html, StringComparison.Ordinal);
        Assert.Contains("Enter the order number from your email", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"lookup-not-found\"", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lookup_without_the_antiforgery_token_is_rejected()
    {
        var order = await _app.PlaceOrderAsync();
        using var session = _app.NewSession();
        await session.GetAsync("/orders/lookup");
        using var form = new FormUrlEncodedContent([new("Input.Email", "ada@example.com"), new("Input.OrderNumber", order.PublicId)]);

        using var response = await session.Client.PostAsync("/orders/lookup", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Lookups_beyond_the_limit_get_429_even_for_the_right_pair()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["RateLimiting:OrderLookupPermitLimit"] = "2" });
        var order = await app.PlaceOrderAsync();
        using var session = app.NewSession();

        var statuses = new List<HttpStatusCode>
        {
            (await LookUpAsync(session, "nobody@example.com", order.PublicId)).Status,
            (await LookUpAsync(session, "someone@example.com", order.PublicId)).Status,
            (await LookUpAsync(session, "ada@example.com", order.PublicId)).Status,
        };

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/orders/lookup")).Status);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/orders/{order.PublicId}")).Status);
    }

    private static Task<ShopSession.Page> LookUpAsync(ShopSession session, string email, string orderNumber) =>
        session.PostFormAsync("/orders/lookup", "/orders/lookup", [new("Input.Email", email), new("Input.OrderNumber", orderNumber)]);

    /// <summary>The page without what differs by design: the values typed back into the form and the fresh antiforgery token.</summary>
    private static string Comparable(string html, string email, string orderNumber) =>
        TokenValue().Replace(html, "token").Replace(email, "EMAIL", StringComparison.Ordinal).Replace(orderNumber, "NUMBER", StringComparison.Ordinal);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"")]
    private static partial Regex TokenValue();

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
