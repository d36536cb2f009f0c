using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

// The emulator's state, mutated only under PaymentLedger's lock. Each ToJson renders Stripe's field names
// for API version 2026-10-28.endive so Stripe.net deserializes them; fields the shop never uses stay null.

internal sealed class PaymentMethodRecord
{
    public required string Id { get; init; }

    public required TestCard Card { get; init; }

    public required int ExpMonth { get; init; }

    public required int ExpYear { get; init; }

    public required long Created { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "payment_method",
        ["allow_redisplay"] = "unspecified",
        ["billing_details"] = EmptyBillingDetails(),
        ["card"] = new JsonObject
        {
            ["brand"] = Card.Brand,
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
        },
        ["created"] = Created,
        ["customer"] = null,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["type"] = "card",
    };

    public static JsonObject EmptyBillingDetails() => new()
    {
        ["address"] = new JsonObject
        {
            ["city"] = null, ["country"] = null, ["line1"] = null, ["line2"] = null, ["postal_code"] = null, ["state"] = null,
        },
        ["email"] = null,
        ["name"] = null,
        ["phone"] = null,
    };
}

internal sealed class PaymentIntentRecord
{
    // Stripe shows only these to a publishable key holding the client secret: no metadata, no charge.
    private static readonly HashSet<string> _publishableFields =
    [
        "id", "object", "amount", "amount_details", "automatic_payment_methods", "canceled_at", "cancellation_reason",
        "capture_method", "client_secret", "confirmation_method", "created", "currency", "description",
        "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_types", "processing",
        "receipt_email", "setup_future_usage", "shipping", "source", "status",
    ];

    public required string Id { get; init; }

    public required string ClientSecret { get; init; }

    public required long Created { get; init; }

    public required long Amount { get; set; }

    public required string Currency { get; set; }

    public bool AutomaticPaymentMethods { get; set; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public string? ReceiptEmail { get; set; }

    public string? Description { get; set; }

    public string Status { get; set; } = "requires_payment_method";

    public string? PaymentMethodId { get; set; }

    public string? LatestChargeId { get; set; }

    public long AmountReceived { get; set; }

    public JsonObject? LastPaymentError { get; set; }

    public JsonObject? NextAction { get; set; }

    public long? CanceledAt { get; set; }

    public string? CancellationReason { get; set; }

    /// <summary>Where the 3-D Secure challenge page sends the customer back to.</summary>
    public string? ReturnUrl { get; set; }

    public JsonObject ToJson(JsonObject? latestCharge = null) => new()
    {
        ["id"] = Id,
        ["object"] = "payment_intent",
        ["amount"] = Amount,
        ["amount_capturable"] = 0,
        ["amount_details"] = new JsonObject { ["tip"] = new JsonObject() },
        ["amount_received"] = AmountReceived,
        ["application"] = null,
        ["application_fee_amount"] = null,
        ["automatic_payment_methods"] = AutomaticPaymentMethods
            ? new JsonObject { ["allow_redirects"] = "always", ["enabled"] = true }
            : null,
        ["canceled_at"] = CanceledAt,
        ["cancellation_reason"] = CancellationReason,
        ["capture_method"] = "automatic_async",
        ["client_secret"] = ClientSecret,
        ["confirmation_method"] = "automatic",
        ["created"] = Created,
        ["currency"] = Currency,
        ["customer"] = null,
        ["description"] = Description,
        ["last_payment_error"] = LastPaymentError?.DeepClone(),
        ["latest_charge"] = latestCharge ?? (JsonNode?)LatestChargeId,
        ["livemode"] = false,
        ["metadata"] = MetadataJson(Metadata),
        ["next_action"] = NextAction?.DeepClone(),
        ["on_behalf_of"] = null,
        ["payment_method"] = PaymentMethodId,
        ["payment_method_configuration_details"] = null,
        ["payment_method_options"] = new JsonObject
        {
            ["card"] = new JsonObject
            {
                ["installments"] = null, ["mandate_options"] = null, ["network"] = null, ["request_three_d_secure"] = "automatic",
            },
        },
        ["payment_method_types"] = new JsonArray("card"),
        ["processing"] = null,
        ["receipt_email"] = ReceiptEmail,
        ["review"] = null,
        ["setup_future_usage"] = null,
        ["shipping"] = null,
        ["source"] = null,
        ["statement_descriptor"] = null,
        ["statement_descriptor_suffix"] = null,
        ["status"] = Status,
        ["transfer_data"] = null,
        ["transfer_group"] = null,
    };

    public JsonObject ToPublishableJson()
    {
        var json = ToJson();
        foreach (var key in json.Select(pair => pair.Key).Where(key => !_publishableFields.Contains(key)).ToList())
        {
            json.Remove(key);
        }

        return json;
    }

    public static JsonObject MetadataJson(Dictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            json[key] = value;
        }

        return json;
    }
}

internal sealed class ChargeRecord
{
    public required string Id { get; init; }

    public required long Created { get; init; }

    public required PaymentIntentRecord PaymentIntent { get; init; }

    public required PaymentMethodRecord PaymentMethod { get; init; }

    public required long Amount { get; init; }

    public required bool Succeeded { get; init; }

    public bool ThreeDSecure { get; init; }

    public List<RefundRecord> Refunds { get; } = [];

    public long AmountRefunded => Refunds.Sum(refund => refund.Amount);

    public JsonObject ToJson()
    {
        var card = PaymentMethod.Card;
        var (failureCode, failureMessage, outcome) = card.Outcome switch
        {
            _ when Succeeded => (null, null, Outcome("approved_by_network", null, "Payment complete.", "authorized")),
            CardOutcome.InsufficientFunds => ("card_declined", "Your card has insufficient funds.",
                Outcome("declined_by_network", "insufficient_funds", "The bank returned the decline code `insufficient_funds`.", "issuer_declined")),
            CardOutcome.LiveCardInTestMode => ("card_declined", "Your card was declined. Your request was in test mode, but used a non test card.",
                Outcome("declined_by_network", "test_mode_live_card", "The bank did not return any further details with this decline.", "issuer_declined")),
            _ => ("card_declined", "Your card was declined.",
                Outcome("declined_by_network", "generic_decline", "The bank did not return any further details with this decline.", "issuer_declined")),
        };
        var refunds = new JsonArray();
        foreach (var refund in Enumerable.Reverse(Refunds))
        {
            refunds.Add(refund.ToJson());
        }

        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "charge",
            ["amount"] = Amount,
            ["amount_captured"] = Succeeded ? Amount : 0,
            ["amount_refunded"] = AmountRefunded,
            ["application"] = null,
            ["application_fee"] = null,
            ["application_fee_amount"] = null,
            ["balance_transaction"] = null,
            ["billing_details"] = PaymentMethodRecord.EmptyBillingDetails(),
            ["calculated_statement_descriptor"] = "SHOP EMULATOR",
            ["captured"] = Succeeded,
            ["created"] = Created,
            ["currency"] = PaymentIntent.Currency,
            ["customer"] = null,
            ["description"] = PaymentIntent.Description,
            ["disputed"] = false,
            ["failure_balance_transaction"] = null,
            ["failure_code"] = failureCode,
            ["failure_message"] = failureMessage,
            ["fraud_details"] = new JsonObject(),
            ["livemode"] = false,
            ["metadata"] = PaymentIntentRecord.MetadataJson(PaymentIntent.Metadata),
            ["on_behalf_of"] = null,
            ["outcome"] = outcome,
            ["paid"] = Succeeded,
            ["payment_intent"] = PaymentIntent.Id,
            ["payment_method"] = PaymentMethod.Id,
            ["payment_method_details"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["amount_authorized"] = Succeeded ? Amount : null,
                    ["brand"] = card.Brand,
                    ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "pass" },
                    ["country"] = "US",
                    ["exp_month"] = PaymentMethod.ExpMonth,
                    ["exp_year"] = PaymentMethod.ExpYear,
                    ["fingerprint"] = card.Fingerprint,
                    ["funding"] = "credit",
                    ["last4"] = card.Last4,
                    ["network"] = card.Brand,
                    ["three_d_secure"] = ThreeDSecure
                        ? new JsonObject { ["authentication_flow"] = "challenge", ["result"] = "authenticated", ["version"] = "2.2.0" }
                        : null,
                    ["wallet"] = null,
                },
                ["type"] = "card",
            },
            ["receipt_email"] = PaymentIntent.ReceiptEmail,
            ["receipt_number"] = null,
            ["receipt_url"] = null,
            ["refunded"] = Succeeded && AmountRefunded == Amount,
            ["refunds"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = refunds,
                ["has_more"] = false,
                ["total_count"] = Refunds.Count,
                ["url"] = $"/v1/charges/{Id}/refunds",
            },
            ["review"] = null,
            ["shipping"] = null,
            ["source"] = null,
            ["statement_descriptor"] = null,
            ["statement_descriptor_suffix"] = null,
            ["status"] = Succeeded ? "succeeded" : "failed",
            ["transfer_data"] = null,
            ["transfer_group"] = null,
        };
    }

    private static JsonObject Outcome(string networkStatus, string? reason, string sellerMessage, string type) => new()
    {
        ["advice_code"] = null,
        ["network_advice_code"] = null,
        ["network_decline_code"] = null,
        ["network_status"] = networkStatus,
        ["reason"] = reason,
        ["risk_level"] = "normal",
        ["risk_score"] = 20,
        ["seller_message"] = sellerMessage,
        ["type"] = type,
    };
}

internal sealed class RefundRecord
{
    public required string Id { get; init; }

    public required long Created { get; init; }

    public required ChargeRecord Charge { get; init; }

    public required long Amount { get; init; }

    public string? Reason { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "refund",
        ["amount"] = Amount,
        ["balance_transaction"] = null,
        ["charge"] = Charge.Id,
        ["created"] = Created,
        ["currency"] = Charge.PaymentIntent.Currency,
        ["destination_details"] = new JsonObject
        {
            ["card"] = new JsonObject { ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
            ["type"] = "card",
        },
        ["metadata"] = PaymentIntentRecord.MetadataJson(Metadata),
        ["payment_intent"] = Charge.PaymentIntent.Id,
        ["reason"] = Reason,
        ["receipt_number"] = null,
        ["source_transfer_reversal"] = null,
        ["status"] = "succeeded",
        ["transfer_reversal"] = null,
    };
}
