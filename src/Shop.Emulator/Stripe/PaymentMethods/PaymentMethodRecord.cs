using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>A card (from a test number, a <c>pm_card_*</c> or <c>tok_*</c> shortcut) or a SEPA Direct Debit account.</summary>
internal sealed class PaymentMethodRecord : StripeObject
{
    public required string Type { get; init; }

    public TestCard? Card { get; init; }

    public int ExpMonth { get; init; }

    public int ExpYear { get; init; }

    public string? Iban { get; init; }

    public JsonObject BillingDetails { get; set; } = CommonParams.BillingDetailsJson(null);

    public string? CustomerId { get; set; }

    /// <summary>SEPA test IBANs ending in 3202 fail after processing; the others succeed (https://docs.stripe.com/testing#sepa-direct-debit).</summary>
    public bool SettlementFails => Iban?.EndsWith("3202", StringComparison.Ordinal) == true;

    public override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["object"] = "payment_method",
            ["allow_redisplay"] = "unspecified",
            ["billing_details"] = BillingDetails.DeepClone(),
            ["created"] = Created,
            ["customer"] = CustomerId,
            ["livemode"] = false,
            ["metadata"] = MetadataJson(),
            ["type"] = Type,
        };
        json[Type] = Type == "card" ? CardJson() : SepaJson();
        return json;
    }

    /// <summary>The <c>payment_method_details</c> part of a charge paid with this method.</summary>
    public JsonObject ChargeDetailsJson(long? amountAuthorized, bool threeDSecure)
    {
        JsonObject details;
        if (Type == "card")
        {
            details = CardJson();
            details.Remove("display_brand");
            details.Remove("generated_from");
            details.Remove("networks");
            details.Remove("three_d_secure_usage");
            details["amount_authorized"] = amountAuthorized;
            details["network"] = Card!.Brand;
            details["three_d_secure"] = threeDSecure
                ? new JsonObject { ["authentication_flow"] = "challenge", ["result"] = "authenticated", ["version"] = "2.2.0" }
                : null;
        }
        else
        {
            details = SepaJson();
            details.Remove("generated_from");
            details["mandate"] = StripeIds.New("mandate");
        }

        return new JsonObject { [Type] = details, ["type"] = Type };
    }

    private JsonObject CardJson() => new()
    {
        ["brand"] = Card!.Brand,
        ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "pass" },
        ["country"] = "US",
        ["display_brand"] = Card.Brand,
        ["exp_month"] = ExpMonth,
        ["exp_year"] = ExpYear,
        ["fingerprint"] = Card.Fingerprint,
        ["funding"] = "credit",
        ["generated_from"] = null,
        ["last4"] = Card.Last4,
        ["networks"] = new JsonObject { ["available"] = new JsonArray(Card.Brand), ["preferred"] = null },
        ["three_d_secure_usage"] = new JsonObject { ["supported"] = true },
        ["wallet"] = null,
    };

    private JsonObject SepaJson() => new()
    {
        ["bank_code"] = Iban![4..9],
        ["branch_code"] = "",
        ["country"] = Iban[..2],
        ["fingerprint"] = "fp" + Iban[^10..],
        ["generated_from"] = new JsonObject { ["charge"] = null, ["setup_attempt"] = null },
        ["last4"] = Iban[^4..],
    };
}
