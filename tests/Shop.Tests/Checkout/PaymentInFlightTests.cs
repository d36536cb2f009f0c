using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Orders;

namespace Shop.Tests.Checkout;

/// <summary>Issue 9, item 4: checkout cannot corrupt a payment in flight, and a paid cart does not invite a second payment.</summary>
public sealed class PaymentInFlightTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public PaymentInFlightTests() => _app = new ShopApp(_stripe);

    [Fact]
    public async Task The_cart_is_empty_after_payment_and_links_the_paid_order_instead_of_offering_checkout()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var order = await CheckoutAsync(session);

        await PayAsync(session, order);
        var cart = await session.GetAsync("/cart");

        Assert.Contains($"Your order <a href=\"/orders/{order.PublicId}\">{order.PublicId}</a> is paid.", cart.Html, StringComparison.Ordinal);
        Assert.Contains("Your cart is empty.", cart.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/checkout\"", cart.Html, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var stored = await db.Carts.Include(c => c.Items).SingleAsync();
        Assert.Empty(stored.Items);
        Assert.Null(stored.OpenOrderId);
    }

    [Fact]
    public async Task Items_added_before_or_after_the_payment_stay_and_go_into_a_new_order()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var paid = await CheckoutAsync(session);
        await session.AddToCartAsync("brass-pen");

        await PayAsync(session, paid);
        await session.AddToCartAsync("field-notebook");
        var cart = await session.GetAsync("/cart");
        var next = await CheckoutAsync(session);

        Assert.DoesNotContain("data-product=\"canvas-tote\"", cart.Html, StringComparison.Ordinal);
        Assert.Contains("data-product=\"brass-pen\"", cart.Html, StringComparison.Ordinal);
        Assert.Contains("data-product=\"field-notebook\"", cart.Html, StringComparison.Ordinal);
        Assert.NotEqual(paid.PublicId, next.PublicId);
        Assert.Equal(["Brass pen", "Field notebook"], next.Lines.Select(l => l.ProductName).Order());
    }

    [Fact]
    public async Task A_processing_payment_and_a_changed_cart_make_a_new_order_and_leave_the_first_untouched()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var first = await CheckoutAsync(session);
        // A bank debit confirmed on the payment page: Stripe knows, no webhook has come yet.
        _stripe.SetStatus(first.PaymentIntentId!, "processing");
        await session.AddToCartAsync("brass-pen");

        var second = await CheckoutAsync(session);
        var cart = await session.GetAsync("/cart");

        Assert.NotEqual(first.PublicId, second.PublicId);
        await AssertUntouchedAsync(first);
        Assert.Empty(_stripe.PaymentIntentUpdates);
        Assert.Empty(_stripe.PaymentIntentCancellations);
        Assert.Equal("processing", _stripe.StatusOf(first.PaymentIntentId!));
        // The tote is being paid for in the first order; the new one holds only what was added.
        Assert.Equal("Brass pen", Assert.Single(second.Lines).ProductName);
        Assert.Contains($"Your payment for order <a href=\"/orders/{first.PublicId}\">{first.PublicId}</a> is being confirmed.", cart.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_awaiting_3d_secure_and_a_changed_cart_cancel_its_payment_intent_and_make_a_new_order()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var first = await CheckoutAsync(session);
        _stripe.SetStatus(first.PaymentIntentId!, "requires_action");
        await session.SetQuantityAsync("canvas-tote", 3);

        var second = await CheckoutAsync(session);

        Assert.NotEqual(first.PublicId, second.PublicId);
        await AssertUntouchedAsync(first);
        Assert.Empty(_stripe.PaymentIntentUpdates);
        var cancel = Assert.Single(_stripe.PaymentIntentCancellations);
        Assert.Equal($"/v1/payment_intents/{first.PaymentIntentId}/cancel", cancel.Path);
        Assert.Equal("abandoned", cancel.Form["cancellation_reason"]);
        Assert.Matches($"^shop-{first.PublicId}-pi-cancel-1-[0-9a-f]{{16}}$", cancel.IdempotencyKey);
        Assert.Equal("canceled", _stripe.StatusOf(first.PaymentIntentId!));
        Assert.Equal(7200, second.TotalMinorUnits);
        Assert.NotEqual(first.PaymentIntentId, second.PaymentIntentId);
    }

    [Fact]
    public async Task A_payment_that_starts_while_checkout_looks_is_left_untouched()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote");
        var first = await CheckoutAsync(session);
        // The customer confirms in another tab right after checkout has read the PaymentIntent: Stripe refuses the update.
        _stripe.SetStatusAfterNextRetrieve(first.PaymentIntentId!, "succeeded");
        await session.SetQuantityAsync("canvas-tote", 2);

        var second = await CheckoutAsync(session);

        Assert.NotEqual(first.PublicId, second.PublicId);
        await AssertUntouchedAsync(first);
        Assert.Single(_stripe.PaymentIntentUpdates);
        Assert.Empty(_stripe.PaymentIntentCancellations);
        Assert.Equal(2400, second.TotalMinorUnits);
    }

    [Fact]
    public async Task A_timeout_then_a_corrected_email_reaches_the_payment_page()
    {
        // With receipt_email sent, the corrected email is a parameter Stripe holds the first key to.
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Stripe:RequestTimeout"] = "00:00:02",
            ["Stripe:SendReceiptEmails"] = "true",
        });
        using var session = app.NewSession();
        await session.AddToCartAsync("brass-pen");
        // Longer than Stripe:RequestTimeout: the shop gives up, but Stripe has the request and keeps its key.
        _stripe.AnswerAfter(TimeSpan.FromSeconds(6));
        var timedOut = await session.CheckoutAsync(WithEmail("ada@exmaple.com"));
        _stripe.AnswerNormally();

        var corrected = await session.CheckoutAsync(WithEmail("ada@example.com"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.Status);
        Assert.Equal(HttpStatusCode.Redirect, corrected.Status);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync(corrected.Location!.OriginalString)).Status);
        var creations = _stripe.PaymentIntentCreations;
        Assert.Equal(2, creations.Count);
        Assert.NotEqual(creations[0].IdempotencyKey, creations[1].IdempotencyKey);
        Assert.Equal("ada@example.com", creations[1].Form["receipt_email"]);
    }

    [Fact]
    public async Task An_idempotency_error_starts_a_new_attempt_instead_of_failing()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        _stripe.AnswerIdempotencyErrorToNextCreation();

        var page = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync(page.Location!.OriginalString)).Status);
        var creations = _stripe.PaymentIntentCreations;
        Assert.Equal(2, creations.Count);
        Assert.StartsWith($"shop-{page.OrderPublicId}-pi-create-1-", creations[0].IdempotencyKey, StringComparison.Ordinal);
        Assert.StartsWith($"shop-{page.OrderPublicId}-pi-create-2-", creations[1].IdempotencyKey, StringComparison.Ordinal);
        await using var db = _app.OpenDatabase();
        var order = await db.Orders.SingleAsync();
        Assert.Equal(2, order.PaymentAttempt);
        Assert.NotNull(order.PaymentIntentId);
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }

    private static Dictionary<string, string> WithEmail(string email) => new(ShopSession.Customer) { ["Input.Email"] = email };

    private async Task<Order> CheckoutAsync(ShopSession session)
    {
        var page = await session.CheckoutAsync();
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        await using var db = _app.OpenDatabase();
        return await db.Orders.SingleAsync(o => o.PublicId == page.OrderPublicId);
    }

    /// <summary>Stripe's signed webhook says the order's PaymentIntent succeeded.</summary>
    private static async Task PayAsync(ShopSession session, Order order) =>
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(session.Client,
            StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId!, order.TotalMinorUnits, orderId: order.PublicId)));

    private async Task AssertUntouchedAsync(Order before)
    {
        await using var db = _app.OpenDatabase();
        var after = await db.Orders.SingleAsync(o => o.Id == before.Id);
        Assert.Equal(before.TotalMinorUnits, after.TotalMinorUnits);
        Assert.Equal(before.PaymentIntentId, after.PaymentIntentId);
        Assert.Equal(before.PaymentIntentAmount, after.PaymentIntentAmount);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(
            before.Lines.Select(l => (l.ProductId, l.Quantity, l.UnitPriceMinorUnits)).Order(),
            after.Lines.Select(l => (l.ProductId, l.Quantity, l.UnitPriceMinorUnits)).Order());
    }
}
