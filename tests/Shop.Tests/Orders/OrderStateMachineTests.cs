using Shop.Web.Orders;

namespace Shop.Tests.Orders;

/// <summary>Every transition of the order's state machine, legal and illegal, on the entity alone.</summary>
public sealed class OrderStateMachineTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private const long Total = 2400;

    public enum News { Processing, Succeeded, Failed, Canceled, FullRefund, PartialRefund, DisputeOpened, DisputeWon, DisputeLost }

    private static Order NewOrder() => Order.Place(
        new CustomerDetails("ada@example.com", "Ada", new ShippingAddress { Line1 = "1 Road", City = "London", PostalCode = "N1", Country = "GB" }),
        [new OrderLine { ProductId = 1, ProductName = "Tote", UnitPriceMinorUnits = Total, Currency = "usd", Quantity = 1 }],
        "usd",
        s_now);

    /// <summary>An order brought to <paramref name="status"/> through legal transitions only.</summary>
    private static Order OrderIn(OrderStatus status)
    {
        var order = NewOrder();
        News[] path = status switch
        {
            OrderStatus.AwaitingPayment => [],
            OrderStatus.Processing => [News.Processing],
            OrderStatus.PaymentFailed => [News.Failed],
            OrderStatus.Paid => [News.Succeeded],
            OrderStatus.Canceled => [News.Canceled],
            OrderStatus.PartiallyRefunded => [News.Succeeded, News.PartialRefund],
            OrderStatus.Refunded => [News.Succeeded, News.FullRefund],
            OrderStatus.Disputed => [News.Succeeded, News.DisputeOpened],
            OrderStatus.DisputeLost => [News.Succeeded, News.DisputeOpened, News.DisputeLost],
            OrderStatus.NeedsReview => [],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var e in path)
        {
            Assert.True(Apply(order, e).Applied);
        }

        if (status == OrderStatus.NeedsReview)
        {
            order.MarkPaid(Total + 1, "usd", s_now);
        }

        Assert.Equal(status, order.Status);
        return order;
    }

    private static OrderTransition Apply(Order order, News news) => news switch
    {
        News.Processing => order.MarkProcessing(s_now),
        News.Succeeded => order.MarkPaid(Total, "usd", s_now),
        News.Failed => order.MarkPaymentFailed("Your card was declined.", "generic_decline", s_now),
        News.Canceled => order.MarkCanceled(s_now),
        News.FullRefund => order.RecordRefund(Total, s_now),
        News.PartialRefund => order.RecordRefund(1000, s_now),
        News.DisputeOpened => order.OpenDispute(s_now),
        News.DisputeWon => order.CloseDispute(won: true, s_now),
        News.DisputeLost => order.CloseDispute(won: false, s_now),
        _ => throw new ArgumentOutOfRangeException(nameof(news)),
    };

    // Every (status, event) pair with the status it must lead to; null means refused and unchanged.
    public static TheoryData<OrderStatus, News, OrderStatus?> Transitions()
    {
        var data = new TheoryData<OrderStatus, News, OrderStatus?>();
        var expected = new Dictionary<(OrderStatus, News), OrderStatus>
        {
            [(OrderStatus.AwaitingPayment, News.Processing)] = OrderStatus.Processing,
            [(OrderStatus.AwaitingPayment, News.Succeeded)] = OrderStatus.Paid,
            [(OrderStatus.AwaitingPayment, News.Failed)] = OrderStatus.PaymentFailed,
            [(OrderStatus.AwaitingPayment, News.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.Processing, News.Succeeded)] = OrderStatus.Paid,
            [(OrderStatus.Processing, News.Failed)] = OrderStatus.PaymentFailed,
            [(OrderStatus.Processing, News.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.PaymentFailed, News.Processing)] = OrderStatus.Processing,
            [(OrderStatus.PaymentFailed, News.Succeeded)] = OrderStatus.Paid,
            [(OrderStatus.PaymentFailed, News.Failed)] = OrderStatus.PaymentFailed,
            [(OrderStatus.PaymentFailed, News.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.Paid, News.FullRefund)] = OrderStatus.Refunded,
            [(OrderStatus.Paid, News.PartialRefund)] = OrderStatus.PartiallyRefunded,
            [(OrderStatus.Paid, News.DisputeOpened)] = OrderStatus.Disputed,
            [(OrderStatus.PartiallyRefunded, News.FullRefund)] = OrderStatus.Refunded,
            [(OrderStatus.PartiallyRefunded, News.DisputeOpened)] = OrderStatus.Disputed,
            [(OrderStatus.Refunded, News.DisputeOpened)] = OrderStatus.Disputed,
            [(OrderStatus.Disputed, News.DisputeWon)] = OrderStatus.Paid,
            [(OrderStatus.Disputed, News.DisputeLost)] = OrderStatus.DisputeLost,
        };

        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            foreach (var e in Enum.GetValues<News>())
            {
                data.Add(status, e, expected.TryGetValue((status, e), out var to) ? to : null);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Each_event_moves_an_order_only_where_the_payment_flow_allows(OrderStatus from, News news, OrderStatus? to)
    {
        var order = OrderIn(from);
        var version = order.Version;

        var transition = Apply(order, news);

        Assert.Equal(to is not null, transition.Applied);
        Assert.Equal(to ?? from, order.Status);
        Assert.Equal(to is null ? version : version + 1, order.Version);
    }

    [Fact]
    public void A_dispute_won_on_a_partially_refunded_order_returns_it_to_partially_refunded()
    {
        var order = OrderIn(OrderStatus.PartiallyRefunded);
        order.OpenDispute(s_now);

        order.CloseDispute(won: true, s_now);

        Assert.Equal(OrderStatus.PartiallyRefunded, order.Status);
    }

    [Fact]
    public void A_success_for_a_different_amount_or_currency_needs_review()
    {
        var wrongAmount = NewOrder();
        var wrongCurrency = NewOrder();

        wrongAmount.MarkPaid(Total - 1, "usd", s_now);
        wrongCurrency.MarkPaid(Total, "eur", s_now);

        Assert.Equal(OrderStatus.NeedsReview, wrongAmount.Status);
        Assert.Equal(OrderStatus.NeedsReview, wrongCurrency.Status);
    }

    [Fact]
    public void A_smaller_refund_arriving_late_does_not_lower_the_refunded_amount()
    {
        var order = OrderIn(OrderStatus.Paid);
        order.RecordRefund(2000, s_now);

        var late = order.RecordRefund(1000, s_now);

        Assert.False(late.Applied);
        Assert.Equal(2000, order.RefundedMinorUnits);
        Assert.Equal(OrderStatus.PartiallyRefunded, order.Status);
    }

    [Fact]
    public void A_failure_records_the_customer_reason_and_a_later_success_clears_it()
    {
        var order = NewOrder();

        order.MarkPaymentFailed("Your card has insufficient funds.", "insufficient_funds", s_now);
        var reason = order.PaymentFailureMessage;
        order.MarkPaid(Total, "usd", s_now);

        Assert.Equal("Your card has insufficient funds.", reason);
        Assert.Null(order.PaymentFailureMessage);
    }
}
