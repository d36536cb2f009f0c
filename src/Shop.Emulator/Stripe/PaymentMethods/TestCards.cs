namespace Shop.Emulator.Stripe;

/// <summary>What a test card does when charged.</summary>
internal enum CardOutcome
{
    Succeeds,
    Declines,
    RequiresAuthentication,

    /// <summary>Succeeds, then the cardholder disputes the charge (<see cref="TestCard.Dispute"/>).</summary>
    Disputed,

    /// <summary>Succeeds; refunds stay pending for <see cref="StripeEmulatorOptions.ProcessingDelay"/> before they succeed.</summary>
    RefundsPending,
}

/// <summary>How a declined card is reported: the error code, the bank's decline code and the customer-facing message.</summary>
internal sealed record CardDecline(string Code, string? DeclineCode, string Message);

/// <summary>The dispute a disputed test card opens: its reason, and whether it starts as an inquiry.</summary>
internal sealed record CardDispute(string Reason, bool Inquiry);

internal sealed record TestCard(string Number, string Brand, CardOutcome Outcome, CardDecline? Decline = null, CardDispute? Dispute = null)
{
    public string Last4 => Number[^4..];

    public string Fingerprint => "fp" + Number[^10..];
}

/// <summary>
/// Stripe's documented test numbers, and the <c>pm_card_*</c> and <c>tok_*</c> shortcuts that stand for them
/// (https://docs.stripe.com/testing).
/// </summary>
internal static class TestCards
{
    private static readonly CardDecline s_generic = new("card_declined", "generic_decline", "Your card was declined.");

    private static readonly TestCard[] s_cards =
    [
        new("4242424242424242", "visa", CardOutcome.Succeeds),
        new("4000056655665556", "visa", CardOutcome.Succeeds),
        new("5555555555554444", "mastercard", CardOutcome.Succeeds),
        new("378282246310005", "amex", CardOutcome.Succeeds),
        new("6011111111111117", "discover", CardOutcome.Succeeds),
        new("4000000000000002", "visa", CardOutcome.Declines, s_generic),
        new("4000000000009995", "visa", CardOutcome.Declines, new("card_declined", "insufficient_funds", "Your card has insufficient funds.")),
        new("4100000000000019", "visa", CardOutcome.Declines, new("card_declined", "fraudulent", "Your card was declined.")),
        new("4000000000000069", "visa", CardOutcome.Declines, new("expired_card", null, "Your card has expired.")),
        new("4000000000000127", "visa", CardOutcome.Declines, new("incorrect_cvc", null, "Your card's security code is incorrect.")),
        new("4000000000000119", "visa", CardOutcome.Declines, new("processing_error", null, "An error occurred while processing your card. Try again in a little bit.")),
        new("4000002500003155", "visa", CardOutcome.RequiresAuthentication),
        new("4000002760003184", "visa", CardOutcome.RequiresAuthentication),
        new("4000000000003220", "visa", CardOutcome.RequiresAuthentication),
        new("4000000000000259", "visa", CardOutcome.Disputed, Dispute: new("fraudulent", Inquiry: false)),
        new("4000000000001976", "visa", CardOutcome.Disputed, Dispute: new("fraudulent", Inquiry: true)),
        new("4000000000002685", "visa", CardOutcome.Disputed, Dispute: new("product_not_received", Inquiry: false)),
        new("4000000000007726", "visa", CardOutcome.RefundsPending),
    ];

    private static readonly Dictionary<string, string> s_shortcuts = new(StringComparer.Ordinal)
    {
        ["visa"] = "4242424242424242",
        ["visa_debit"] = "4000056655665556",
        ["mastercard"] = "5555555555554444",
        ["amex"] = "378282246310005",
        ["discover"] = "6011111111111117",
        ["chargeDeclined"] = "4000000000000002",
        ["visa_chargeDeclined"] = "4000000000000002",
        ["chargeDeclinedInsufficientFunds"] = "4000000000009995",
        ["visa_chargeDeclinedInsufficientFunds"] = "4000000000009995",
        ["chargeDeclinedFraudulent"] = "4100000000000019",
        ["visa_chargeDeclinedFraudulent"] = "4100000000000019",
        ["chargeDeclinedExpiredCard"] = "4000000000000069",
        ["visa_chargeDeclinedExpiredCard"] = "4000000000000069",
        ["chargeDeclinedIncorrectCvc"] = "4000000000000127",
        ["visa_chargeDeclinedIncorrectCvc"] = "4000000000000127",
        ["chargeDeclinedProcessingError"] = "4000000000000119",
        ["visa_chargeDeclinedProcessingError"] = "4000000000000119",
        ["authenticationRequired"] = "4000002760003184",
        ["threeDSecure2Required"] = "4000000000003220",
        ["authenticationRequiredOnSetup"] = "4000002500003155",
        ["createDispute"] = "4000000000000259",
        ["createDisputeInquiry"] = "4000000000001976",
        ["createDisputeProductNotReceived"] = "4000000000002685",
        ["pendingRefund"] = "4000000000007726",
    };

    /// <summary><c>pm_card_visa</c> or <c>tok_visa</c> to its card; null for anything else.</summary>
    public static TestCard? ForShortcut(string id)
    {
        var name = id.StartsWith("pm_card_", StringComparison.Ordinal) ? id["pm_card_".Length..]
            : id.StartsWith("tok_", StringComparison.Ordinal) ? id["tok_".Length..]
            : null;
        return name is not null && s_shortcuts.TryGetValue(name, out var number) ? ForNumber(number) : null;
    }

    /// <summary>A Luhn-valid number that is not a test card behaves as Stripe's test mode does with a real card: declined.</summary>
    public static TestCard ForNumber(string number) =>
        s_cards.FirstOrDefault(card => card.Number == number)
        ?? new TestCard(
            number,
            number.StartsWith('5') ? "mastercard" : number.StartsWith('4') ? "visa" : "unknown",
            CardOutcome.Declines,
            new("card_declined", "test_mode_live_card", "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing."));

    public static bool PassesLuhn(string number)
    {
        if (number.Length is < 12 or > 19 || !number.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < number.Length; i++)
        {
            var digit = number[number.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit = digit * 2 > 9 ? (digit * 2) - 9 : digit * 2;
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }
}
