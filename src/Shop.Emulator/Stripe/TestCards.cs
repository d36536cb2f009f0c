namespace Shop.Emulator.Stripe;

/// <summary>What a test card does when charged.</summary>
internal enum CardOutcome
{
    Succeeds,
    GenericDecline,
    InsufficientFunds,
    RequiresAuthentication,
    LiveCardInTestMode,
}

internal sealed record TestCard(string Number, string Brand, CardOutcome Outcome)
{
    public string Last4 => Number[^4..];

    public string Fingerprint => "fp" + Number[^10..];
}

/// <summary>
/// Stripe's documented test numbers and the <c>pm_card_*</c> shortcuts that stand for them.
/// Only the outcomes the shop's checkout must handle are modelled.
/// </summary>
internal static class TestCards
{
    private static readonly TestCard[] _cards =
    [
        new("4242424242424242", "visa", CardOutcome.Succeeds),
        new("5555555555554444", "mastercard", CardOutcome.Succeeds),
        new("4000000000000002", "visa", CardOutcome.GenericDecline),
        new("4000000000009995", "visa", CardOutcome.InsufficientFunds),
        new("4000002500003155", "visa", CardOutcome.RequiresAuthentication),
        new("4000002760003184", "visa", CardOutcome.RequiresAuthentication),
        new("4000000000003220", "visa", CardOutcome.RequiresAuthentication),
    ];

    private static readonly Dictionary<string, string> _paymentMethodShortcuts = new(StringComparer.Ordinal)
    {
        ["pm_card_visa"] = "4242424242424242",
        ["pm_card_mastercard"] = "5555555555554444",
        ["pm_card_chargeDeclined"] = "4000000000000002",
        ["pm_card_visa_chargeDeclined"] = "4000000000000002",
        ["pm_card_chargeDeclinedInsufficientFunds"] = "4000000000009995",
        ["pm_card_visa_chargeDeclinedInsufficientFunds"] = "4000000000009995",
        ["pm_card_authenticationRequired"] = "4000002760003184",
        ["pm_card_threeDSecure2Required"] = "4000000000003220",
        ["pm_card_authenticationRequiredOnSetup"] = "4000002500003155",
    };

    public static TestCard? ForShortcut(string paymentMethodId) =>
        _paymentMethodShortcuts.TryGetValue(paymentMethodId, out var number) ? ForNumber(number) : null;

    /// <summary>A Luhn-valid number that is not a test card behaves as Stripe's test mode does with a real card: declined.</summary>
    public static TestCard ForNumber(string number) =>
        _cards.FirstOrDefault(card => card.Number == number)
        ?? new TestCard(number, number.StartsWith('5') ? "mastercard" : number.StartsWith('4') ? "visa" : "unknown", CardOutcome.LiveCardInTestMode);

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
