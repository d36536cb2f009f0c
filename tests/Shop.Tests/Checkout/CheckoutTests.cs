using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;

namespace Shop.Tests.Checkout;

public sealed class CheckoutTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public CheckoutTests() => _app = new ShopApp(_stripe);

    [Fact]
    public async Task Checkout_creates_one_payment_intent_for_the_server_total()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote", 2);
        await session.AddToCartAsync("field-notebook");

        var page = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        var request = Assert.Single(_stripe.PaymentIntentCreations);
        Assert.Equal("6200", request.Form["amount"]);
        Assert.Equal("usd", request.Form["currency"]);
        Assert.Equal("true", request.Form["automatic_payment_methods[enabled]"]);
        Assert.Equal(page.OrderPublicId, request.Form["metadata[order_id]"]);
        Assert.Matches($"^shop-{page.OrderPublicId}-pi-create-1-[0-9a-f]{{16}}$", request.IdempotencyKey);
        Assert.Equal("Bearer sk_test_fake_key_for_tests", request.Authorization);

        await using var db = _app.OpenDatabase();
        var order = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.Equal(6200, order.TotalMinorUnits);
        Assert.StartsWith("pi_", order.PaymentIntentId, StringComparison.Ordinal);
        Assert.Equal(2, order.Lines.Count);
        Assert.Contains(order.Lines, l => l.ProductName == "Canvas tote" && l.Quantity == 2 && l.UnitPriceMinorUnits == 2400);
    }

    [Fact]
    public async Task The_payment_intent_carries_no_receipt_email_so_stripe_sends_no_second_receipt()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");

        await session.CheckoutAsync();

        Assert.False(Assert.Single(_stripe.PaymentIntentCreations).Form.ContainsKey("receipt_email"));
    }

    [Fact]
    public async Task A_shop_that_wants_stripes_receipts_sends_the_customers_email_as_receipt_email()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Stripe:SendReceiptEmails"] = "true" });
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");

        await session.CheckoutAsync();

        Assert.Equal("ada@example.com", Assert.Single(_stripe.PaymentIntentCreations).Form["receipt_email"]);
    }

    [Fact]
    public async Task Payment_page_mounts_the_payment_element_with_the_client_secret()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        var checkout = await session.CheckoutAsync();

        var pay = await session.GetAsync(checkout.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.OK, pay.Status);
        Assert.Contains("data-publishable-key=\"pk_test_fake_key_for_tests\"", pay.Html, StringComparison.Ordinal);
        Assert.Matches("data-client-secret=\"pi_[0-9a-f]+_secret_stub\"", pay.Html);
        Assert.Contains($"data-return-url=\"http://localhost/orders/{checkout.OrderPublicId}\"", pay.Html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"https://js.stripe.com/v3\"></script>", pay.Html, StringComparison.Ordinal);
        Assert.Contains("Pay $45.00", pay.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Double_submit_creates_one_order_and_one_payment_intent()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("desk-lamp");

        var first = await session.CheckoutAsync();
        var second = await session.CheckoutAsync();

        Assert.Equal(first.OrderPublicId, second.OrderPublicId);
        Assert.Single(_stripe.PaymentIntentCreations);
        Assert.Empty(_stripe.PaymentIntentUpdates);
        await using var db = _app.OpenDatabase();
        Assert.Equal(1, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task Concurrent_submits_of_one_cart_make_one_order()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("desk-lamp");

        var pages = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => session.CheckoutAsync()));

        Assert.All(pages, p => Assert.Equal(HttpStatusCode.Redirect, p.Status));
        Assert.Single(pages.Select(p => p.OrderPublicId).Distinct());
        Assert.Single(_stripe.PaymentIntentCreations.Select(r => r.IdempotencyKey).Distinct());
        await using var db = _app.OpenDatabase();
        Assert.Equal(1, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task A_price_posted_with_the_form_is_ignored()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("desk-lamp");

        var page = await session.CheckoutAsync(ShopSession.Customer.Concat(
            [new("amount", "1"), new("Input.Amount", "1"), new("Input.Total", "1"), new("price", "1"), new("Input.Currency", "jpy")]));

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        var request = Assert.Single(_stripe.PaymentIntentCreations);
        Assert.Equal("8900", request.Form["amount"]);
        Assert.Equal("usd", request.Form["currency"]);
    }

    [Fact]
    public async Task A_changed_cart_updates_the_open_payment_intent_instead_of_creating_another()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var first = await session.CheckoutAsync();

        await session.SetQuantityAsync("canvas-tote", 3);
        var second = await session.CheckoutAsync();

        Assert.Equal(first.OrderPublicId, second.OrderPublicId);
        Assert.Single(_stripe.PaymentIntentCreations);
        var update = Assert.Single(_stripe.PaymentIntentUpdates);
        Assert.Equal("7200", update.Form["amount"]);
        Assert.Matches($"^shop-{first.OrderPublicId}-pi-update-1-[0-9a-f]{{16}}$", update.IdempotencyKey);
        await using var db = _app.OpenDatabase();
        var order = await db.Orders.SingleAsync();
        Assert.Equal(7200, order.TotalMinorUnits);
        Assert.Equal(7200, order.PaymentIntentAmount);
        Assert.Equal(3, Assert.Single(order.Lines).Quantity);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "api_error")]
    [InlineData(HttpStatusCode.TooManyRequests, "rate_limit_error")]
    public async Task A_gateway_error_keeps_the_order_and_it_can_be_paid_afterwards(HttpStatusCode status, string type)
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        _stripe.FailWith(status, type);

        var failed = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Contains("id=\"checkout-error\"", failed.Html, StringComparison.Ordinal);
        Assert.Contains("Your order is saved", failed.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"Ada Lovelace\"", failed.Html, StringComparison.Ordinal);
        await using (var db = _app.OpenDatabase())
        {
            var order = await db.Orders.SingleAsync();
            Assert.Null(order.PaymentIntentId);
            Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        }

        _stripe.AnswerNormally();
        var retried = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, retried.Status);
        var creations = _stripe.PaymentIntentCreations;
        Assert.Equal(2, creations.Count);
        Assert.StartsWith($"shop-{retried.OrderPublicId}-pi-create-1-", Assert.Single(creations.Select(c => c.IdempotencyKey).Distinct()), StringComparison.Ordinal);
        await using (var db = _app.OpenDatabase())
        {
            var order = await db.Orders.SingleAsync();
            Assert.Equal(retried.OrderPublicId, order.PublicId);
            Assert.NotNull(order.PaymentIntentId);
        }
    }

    [Fact]
    public async Task A_gateway_timeout_keeps_the_order_and_the_retry_reuses_the_idempotency_key()
    {
        using var app = new ShopApp(_stripe, new Dictionary<string, string?> { ["Stripe:RequestTimeout"] = "00:00:02" });
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");
        _stripe.AnswerAfter(TimeSpan.FromSeconds(6));

        var failed = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Contains("could not reach our payment provider", failed.Html, StringComparison.Ordinal);

        _stripe.AnswerNormally();
        var retried = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, retried.Status);
        var creations = _stripe.PaymentIntentCreations;
        Assert.Equal(2, creations.Count);
        Assert.StartsWith($"shop-{retried.OrderPublicId}-pi-create-1-", Assert.Single(creations.Select(c => c.IdempotencyKey).Distinct()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_card_error_from_stripe_is_shown_to_the_customer()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        _stripe.FailWith(HttpStatusCode.PaymentRequired, "card_error", "card_declined");

        var page = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.PaymentRequired, page.Status);
        Assert.Contains("Stub failure 402", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_input_is_shown_next_to_each_field_and_nothing_is_created()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        var fields = new Dictionary<string, string>(ShopSession.Customer)
        {
            ["Input.Email"] = "not-an-email",
            ["Input.Name"] = "Ada\r\nBcc: victim@example.com",
            ["Input.Country"] = "ZZ",
        };

        var page = await session.CheckoutAsync(fields);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Contains("Enter an email address like name@example.com.", page.Html, StringComparison.Ordinal);
        Assert.Contains("Your name cannot contain line breaks or control characters.", page.Html, StringComparison.Ordinal);
        Assert.Contains("Choose a country we ship to.", page.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"not-an-email\"", page.Html, StringComparison.Ordinal);
        Assert.Empty(_stripe.Requests);
        await using var db = _app.OpenDatabase();
        Assert.Equal(0, await db.Orders.CountAsync());
    }

    [Fact]
    public async Task A_post_without_antiforgery_token_is_rejected()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");

        using var content = new FormUrlEncodedContent(ShopSession.Customer);
        using var response = await session.Client.PostAsync("/checkout", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_stripe.Requests);
    }

    [Fact]
    public async Task Checkout_with_an_empty_cart_goes_back_to_the_cart()
    {
        using var session = _app.NewSession();

        // As if the cart was emptied in another tab after the checkout form was shown.
        var page = await session.PostFormAsync("/", "/checkout", ShopSession.Customer);

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/cart", page.Location!.OriginalString);
        Assert.Empty(_stripe.Requests);
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
