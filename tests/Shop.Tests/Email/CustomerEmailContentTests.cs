using Shop.Web.Email;

namespace Shop.Tests.Email;

/// <summary>What the customer finds in the mailbox, sent through the real SMTP path after real signed webhooks.</summary>
public sealed class CustomerEmailContentTests : IAsyncLifetime
{
    private ShopWithInbox _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopWithInbox.StartAsync();

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task A_paid_order_gets_a_receipt_with_its_lines_total_address_and_link()
    {
        var order = await _shop.PlaceOrderAsync("canvas-tote", 2);

        await _shop.SendEventAsync("payment_intent.succeeded", order);

        var email = await _shop.WaitForEmailAsync(order.PublicId);
        var row = Assert.Single(await _shop.OutboxAsync());
        Assert.Equal($"Your receipt for order {order.PublicId}", email.Subject);
        Assert.Equal(["ada@example.com"], email.To);
        Assert.Equal("\"Ada Lovelace\" <ada@example.com>", email.Message.To.ToString());
        Assert.Equal(("Shop", ShopWithInbox.FromAddress), (email.Message.From.Mailboxes.Single().Name, email.Message.From.Mailboxes.Single().Address));
        Assert.Equal($"{row.Id:N}@shop.test", email.MessageId);
        Assert.Contains("2 × Canvas tote: $48.00", email.Text, StringComparison.Ordinal);
        Assert.Contains("Total: $48.00", email.Text, StringComparison.Ordinal);
        Assert.Contains("Shipping to:\nAda Lovelace\n12 St James's Square\nSW1Y 4JH London\nGB", email.Text, StringComparison.Ordinal);
        Assert.Contains($"See your order: https://shop.test/orders/{order.PublicId}\n", email.Text, StringComparison.Ordinal);
        Assert.Contains("<td style=\"padding:4px 0;\">2 × Canvas tote</td>", email.Html, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"total\">$48.00</strong>", email.Html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"https://shop.test/orders/{order.PublicId}\">See your order</a>", email.Html, StringComparison.Ordinal);
        Assert.Contains("12 St James&#x27;s Square<br>", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declined_payment_gets_a_notice_with_the_reason_and_a_link_to_pay_again()
    {
        var order = await _shop.PlaceOrderAsync("brass-pen");

        await _shop.SendEventAsync("payment_intent.payment_failed", order);

        var email = await _shop.WaitForEmailAsync(order.PublicId);
        Assert.Equal($"Your payment for order {order.PublicId} did not go through", email.Subject);
        Assert.Equal(["ada@example.com"], email.To);
        Assert.Contains("Your card has insufficient funds.", email.Text, StringComparison.Ordinal);
        Assert.Contains("We could not take the payment of $45.00", email.Text, StringComparison.Ordinal);
        Assert.Contains($"https://shop.test/orders/{order.PublicId}/pay\n", email.Text, StringComparison.Ordinal);
        Assert.Contains("<p id=\"reason\" style=\"padding:12px;background:#fef2f2;border-radius:6px;\">Your card has insufficient funds.</p>", email.Html,
            StringComparison.Ordinal);
        Assert.Contains($"<a id=\"retry\" href=\"https://shop.test/orders/{order.PublicId}/pay\"", email.Html, StringComparison.Ordinal);
        // Stripe's codes are for support, not for the customer.
        Assert.DoesNotContain("insufficient_funds", email.Message.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("card_declined", email.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_refund_notice_states_the_refunded_amount_of_the_total()
    {
        var order = await _shop.PlaceOrderAsync("canvas-tote", 2);
        await _shop.SendEventAsync("payment_intent.succeeded", order);

        await _shop.SendEventAsync("charge.refunded", order, refunded: 1000);

        var email = await _shop.WaitForEmailAsync("Refund for order");
        Assert.Equal($"Refund for order {order.PublicId}", email.Subject);
        Assert.Contains("In total $10.00 of $48.00 has now been refunded", email.Text, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"refunded\">$10.00</strong> of $48.00", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_name_with_markup_is_encoded_in_the_html_and_kept_as_written_in_the_text()
    {
        var order = await _shop.PlaceOrderAsync(name: "Ada <b>Lovelace</b> & Co");

        await _shop.SendEventAsync("payment_intent.succeeded", order);

        var email = await _shop.WaitForEmailAsync(order.PublicId);
        Assert.Contains("Hello Ada &lt;b&gt;Lovelace&lt;/b&gt; &amp; Co,", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", email.Html, StringComparison.Ordinal);
        Assert.Contains("Hello Ada <b>Lovelace</b> & Co,", email.Text, StringComparison.Ordinal);
        Assert.Equal("Ada <b>Lovelace</b> & Co", email.Message.To.Mailboxes.Single().Name);
        Assert.Equal("ada@example.com", email.Message.To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task A_receipt_in_yen_shows_whole_yen()
    {
        await using var shop = await ShopWithInbox.StartAsync(currency: "jpy");
        var order = await shop.PlaceOrderAsync("canvas-tote", 2);

        await shop.SendEventAsync("payment_intent.succeeded", order);

        var email = await shop.WaitForEmailAsync(order.PublicId);
        Assert.Contains("2 × Canvas tote: ¥7,200", email.Text, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"total\">¥7,200</strong>", email.Html, StringComparison.Ordinal);
    }

    // A name with CR/LF (header injection) never reaches an email: checkout refuses it, see
    // CheckoutTests.Invalid_input_is_shown_next_to_each_field_and_nothing_is_created.
}
