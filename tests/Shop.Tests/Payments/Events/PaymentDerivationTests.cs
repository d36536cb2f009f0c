using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Tests.Payments.Events;

/// <summary>The pure function from Stripe's facts to an order's standing, case by case.</summary>
public sealed class PaymentDerivationTests
{
    private const long Total = 2400;
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void No_facts_is_awaiting_payment()
    {
        Assert.Equal(OrderStatus.AwaitingPayment, Derive().Standing.Status);
    }

    [Theory]
    [InlineData("requires_payment_method", OrderStatus.AwaitingPayment)]
    [InlineData("requires_action", OrderStatus.AwaitingPayment)]
    [InlineData("processing", OrderStatus.Processing)]
    [InlineData("requires_capture", OrderStatus.Processing)]
    [InlineData("canceled", OrderStatus.Canceled)]
    [InlineData("succeeded", OrderStatus.Paid)]
    public void The_payment_intent_status_alone_decides_while_no_money_moved_otherwise(string status, OrderStatus expected)
    {
        Assert.Equal(expected, Derive(Intent(status)).Standing.Status);
    }

    [Fact]
    public void A_failed_attempt_is_payment_failed_with_stripes_reason()
    {
        var standing = Derive(Failed("ch_declined")).Standing;

        Assert.Equal(OrderStatus.PaymentFailed, standing.Status);
        Assert.Equal("generic_decline", standing.FailureCode);
        Assert.Equal("Your card was declined.", standing.FailureMessage);
    }

    [Fact]
    public void A_captured_charge_means_paid_even_before_the_payment_intent_event()
    {
        var derived = Derive(charges: [Charge(refunded: 0)]);

        Assert.Equal(OrderStatus.Paid, derived.Standing.Status);
        Assert.True(derived.Confirmed);
        Assert.Equal(Total, derived.Standing.PaidMinorUnits);
    }

    [Theory]
    [InlineData(0, OrderStatus.Paid)]
    [InlineData(1000, OrderStatus.PartiallyRefunded)]
    [InlineData(Total, OrderStatus.Refunded)]
    public void Refunds_apply_whatever_arrived_first(long refunded, OrderStatus expected)
    {
        var early = Derive(charges: [Charge(refunded)]);
        var complete = Derive(Intent("succeeded"), [Charge(refunded)]);

        Assert.Equal(expected, early.Standing.Status);
        Assert.Equal(expected, complete.Standing.Status);
        Assert.Equal(refunded, complete.Standing.RefundedMinorUnits);
    }

    [Theory]
    [InlineData("needs_response", OrderStatus.Disputed)]
    [InlineData("under_review", OrderStatus.Disputed)]
    [InlineData("appeal_needs_response", OrderStatus.Disputed)]
    [InlineData("appeal_under_review", OrderStatus.Disputed)]
    [InlineData("a_status_stripe_adds_later", OrderStatus.Disputed)]
    [InlineData("won", OrderStatus.DisputeWon)]
    [InlineData("lost", OrderStatus.DisputeLost)]
    [InlineData("warning_needs_response", OrderStatus.Paid)]
    [InlineData("warning_under_review", OrderStatus.Paid)]
    [InlineData("warning_closed", OrderStatus.Paid)]
    [InlineData("prevented", OrderStatus.Paid)]
    public void Each_dispute_status_of_the_pinned_api_version_decides_on_purpose(string disputeStatus, OrderStatus expected)
    {
        Assert.Equal(expected, Derive(Intent("succeeded"), [Charge(0)], [Dispute(disputeStatus)]).Standing.Status);
    }

    [Theory]
    [InlineData("warning_needs_response", true)]
    [InlineData("needs_response", true)]
    [InlineData("appeal_needs_response", true)]
    [InlineData("warning_closed", false)]
    [InlineData("prevented", false)]
    [InlineData("won", false)]
    [InlineData("lost", false)]
    public void Only_a_dispute_that_awaits_an_answer_has_a_deadline_on_the_order(string disputeStatus, bool hasDeadline)
    {
        Assert.Equal(hasDeadline, Derive(Intent("succeeded"), [Charge(0)], [Dispute(disputeStatus)]).Standing.DisputeEvidenceDueBy is not null);
    }

    [Fact]
    public void An_appeal_supersedes_the_loss_before_it_and_a_final_decision_supersedes_the_appeal()
    {
        var lost = Dispute("lost");
        var appeal = Dispute("appeal_under_review", at: s_t0.AddDays(1));
        var won = Dispute("won", at: s_t0.AddDays(2));

        Assert.True(appeal.Supersedes(lost));
        Assert.False(lost.Supersedes(appeal));
        Assert.True(won.Supersedes(appeal));
        Assert.False(Dispute("lost", at: s_t0.AddDays(3)).Supersedes(won));
    }

    [Theory]
    [InlineData("failed", 1, 0)]
    [InlineData("canceled", 1, 0)]
    [InlineData("succeeded", 1, 1000)]
    [InlineData("failed", -1, 1000)]
    public void A_refund_that_failed_after_the_charge_was_read_is_taken_off_the_refunded_amount(string status, int minutesAfterCharge, long expected)
    {
        var refund = new RefundFact
        {
            RefundId = "re_1", PaymentIntentId = "pi_1", ChargeId = "ch_1", Status = status, Amount = 1000, Currency = "usd",
            ObservedAt = s_t0.AddMinutes(minutesAfterCharge),
        };

        var standing = PaymentDerivation.Derive(Total, "usd", Intent("succeeded"), [Charge(1000)], [], refunds: [refund]).Standing;

        Assert.Equal(expected, standing.RefundedMinorUnits);
    }

    [Fact]
    public void A_payment_for_another_amount_refunded_in_full_is_refunded_not_in_review()
    {
        Assert.Equal(OrderStatus.Refunded, Derive(Intent("succeeded", Total - 1), [Charge(Total - 1, amount: Total - 1)]).Standing.Status);
    }

    [Fact]
    public void A_payment_for_another_amount_accepted_by_an_admin_is_paid_and_another_amount_after_it_needs_review_again()
    {
        var accepted = PaymentDerivation.Derive(Total, "usd", Intent("succeeded", Total - 1), [], [], acceptedMinorUnits: Total - 1);
        var other = PaymentDerivation.Derive(Total, "usd", Intent("succeeded", Total - 2), [], [], acceptedMinorUnits: Total - 1);

        Assert.Equal(OrderStatus.Paid, accepted.Standing.Status);
        Assert.Equal(OrderStatus.NeedsReview, other.Standing.Status);
    }

    [Fact]
    public void An_open_dispute_before_any_payment_event_is_disputed_with_its_deadline()
    {
        var standing = Derive(disputes: [Dispute("needs_response")]).Standing;

        Assert.Equal(OrderStatus.Disputed, standing.Status);
        Assert.Equal(s_t0.AddDays(9), standing.DisputeEvidenceDueBy);
    }

    [Fact]
    public void A_refund_after_a_won_dispute_shows_the_refund()
    {
        Assert.Equal(OrderStatus.PartiallyRefunded, Derive(Intent("succeeded"), [Charge(500)], [Dispute("won")]).Standing.Status);
    }

    [Theory]
    [InlineData(Total - 1, "usd")]
    [InlineData(Total, "eur")]
    public void A_payment_for_another_amount_or_currency_needs_review(long amount, string currency)
    {
        var intent = Intent("succeeded", amount, currency);

        var derived = Derive(intent);

        Assert.Equal(OrderStatus.NeedsReview, derived.Standing.Status);
        Assert.False(derived.Confirmed);
    }

    [Fact]
    public void A_failure_is_not_reported_once_money_was_taken()
    {
        var derived = Derive(Failed("ch_declined"), [Charge(0)]);

        Assert.Equal(OrderStatus.Paid, derived.Standing.Status);
        Assert.Null(derived.Standing.FailureCode);
    }

    [Fact]
    public void A_final_payment_intent_state_is_never_superseded_by_a_later_one()
    {
        var succeeded = Intent("succeeded");
        var lateFailure = Failed("ch_other", at: s_t0.AddHours(1));

        Assert.False(lateFailure.Supersedes(succeeded));
        Assert.True(succeeded.Supersedes(lateFailure));
    }

    [Fact]
    public void Succeeded_outranks_a_later_canceled_which_stripe_never_sends_after_it()
    {
        var succeeded = Intent("succeeded");
        var canceled = Intent("canceled", at: s_t0.AddMinutes(1));

        Assert.True(succeeded.Supersedes(canceled));
        Assert.False(canceled.Supersedes(succeeded));
    }

    [Fact]
    public void Within_one_second_the_fact_further_along_wins_either_way_round()
    {
        var processing = Intent("processing");
        var requiresAction = Intent("requires_action");

        Assert.True(processing.Supersedes(requiresAction));
        Assert.False(requiresAction.Supersedes(processing));
    }

    [Fact]
    public void A_later_refund_fact_supersedes_and_an_earlier_one_does_not()
    {
        var partial = Charge(1000);
        var full = Charge(Total, at: s_t0.AddMinutes(1));

        Assert.True(full.Supersedes(partial));
        Assert.False(partial.Supersedes(full));
    }

    private static DerivedPayment Derive(PaymentIntentFact? intent = null, ChargeFact[]? charges = null, DisputeFact[]? disputes = null) =>
        PaymentDerivation.Derive(Total, "usd", intent, charges ?? [], disputes ?? []);

    private static PaymentIntentFact Intent(string status, long amount = Total, string currency = "usd", DateTimeOffset? at = null) => new()
    {
        PaymentIntentId = "pi_1",
        Status = status,
        Amount = amount,
        AmountReceived = status == "succeeded" ? amount : 0,
        Currency = currency,
        ObservedAt = at ?? s_t0,
    };

    private static PaymentIntentFact Failed(string chargeId, DateTimeOffset? at = null)
    {
        var intent = Intent("requires_payment_method", at: at);
        intent.FailureKey = chargeId;
        intent.FailureCode = "generic_decline";
        intent.FailureMessage = "Your card was declined.";
        return intent;
    }

    private static ChargeFact Charge(long refunded, DateTimeOffset? at = null, long amount = Total) => new()
    {
        ChargeId = "ch_1",
        PaymentIntentId = "pi_1",
        Status = "succeeded",
        Amount = amount,
        AmountCaptured = amount,
        AmountRefunded = refunded,
        Currency = "usd",
        ObservedAt = at ?? s_t0,
    };

    private static DisputeFact Dispute(string status, DateTimeOffset? at = null) => new()
    {
        DisputeId = "du_1",
        PaymentIntentId = "pi_1",
        Status = status,
        Amount = Total,
        Currency = "usd",
        EvidenceDueBy = s_t0.AddDays(9),
        ObservedAt = at ?? s_t0,
    };
}
