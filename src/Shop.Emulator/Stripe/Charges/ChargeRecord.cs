using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

internal sealed class ChargeRecord : StripeObject
{
    public required PaymentIntentRecord PaymentIntent { get; init; }

    public required PaymentMethodRecord PaymentMethod { get; init; }

    public required long Amount { get; init; }

    /// <summary>pending (a SEPA debit settling), succeeded or failed.</summary>
    public required string Status { get; set; }

    public bool Captured { get; set; }

    public long AmountCaptured { get; set; }

    /// <summary>An authorization released without capture (partial capture, or canceling an uncaptured payment).</summary>
    public long AmountReleased { get; set; }

    public CardDecline? Decline { get; set; }

    public bool ThreeDSecure { get; init; }

    /// <summary>Plain data copied from the PaymentIntent and changed by <c>POST /v1/charges/{id}</c>: description, receipt_email, shipping, ...</summary>
    public JsonObject Fields { get; init; } = [];

    public List<RefundRecord> Refunds { get; } = [];

    public DisputeRecord? Dispute { get; set; }

    public bool Succeeded => Status == "succeeded";

    public long AmountRefunded => AmountReleased + Refunds.Where(r => r.Status is "succeeded" or "pending").Sum(r => r.Amount);

    public bool FullyRefunded => Succeeded && AmountRefunded >= Amount;

    public override JsonObject ToJson()
    {
        var decline = Decline;
        var outcome = Status switch
        {
            "failed" => Outcome("declined_by_network", decline?.DeclineCode ?? decline?.Code,
                $"The bank returned the decline code `{decline?.DeclineCode ?? decline?.Code}`.", "issuer_declined"),
            "pending" => Outcome("approved_by_network", null, "The payment is pending.", "authorized"),
            _ => Outcome("approved_by_network", null, "Payment complete.", "authorized"),
        };
        var refunds = new JsonArray([.. Enumerable.Reverse(Refunds).Select(refund => (JsonNode)refund.ToJson())]);
        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "charge",
            ["amount"] = Amount,
            ["amount_captured"] = AmountCaptured,
            ["amount_refunded"] = AmountRefunded,
            ["application"] = null,
            ["application_fee"] = null,
            ["application_fee_amount"] = null,
            ["balance_transaction"] = null,
            ["billing_details"] = PaymentMethod.BillingDetails.DeepClone(),
            ["calculated_statement_descriptor"] = Fields["statement_descriptor"]?.DeepClone() ?? "SHOP EMULATOR",
            ["captured"] = Captured,
            ["created"] = Created,
            ["currency"] = PaymentIntent.Currency,
            ["customer"] = PaymentIntent.CustomerId,
            ["description"] = Fields["description"]?.DeepClone(),
            ["disputed"] = Dispute is not null,
            ["failure_balance_transaction"] = null,
            ["failure_code"] = Status == "failed" ? decline?.Code : null,
            ["failure_message"] = Status == "failed" ? decline?.Message : null,
            ["fraud_details"] = Fields["fraud_details"]?.DeepClone() ?? new JsonObject(),
            ["livemode"] = false,
            ["metadata"] = MetadataJson(),
            ["on_behalf_of"] = null,
            ["outcome"] = outcome,
            ["paid"] = Succeeded,
            ["payment_intent"] = PaymentIntent.Id,
            ["payment_method"] = PaymentMethod.Id,
            ["payment_method_details"] = PaymentMethod.ChargeDetailsJson(Status == "failed" ? null : Amount, ThreeDSecure),
            ["receipt_email"] = Fields["receipt_email"]?.DeepClone(),
            ["receipt_number"] = null,
            ["receipt_url"] = null,
            ["refunded"] = FullyRefunded,
            ["refunds"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = refunds,
                ["has_more"] = false,
                ["total_count"] = Refunds.Count,
                ["url"] = $"/v1/charges/{Id}/refunds",
            },
            ["review"] = null,
            ["shipping"] = CommonParams.ShippingJson(Fields["shipping"]),
            ["source"] = null,
            ["statement_descriptor"] = Fields["statement_descriptor"]?.DeepClone(),
            ["statement_descriptor_suffix"] = Fields["statement_descriptor_suffix"]?.DeepClone(),
            ["status"] = Status,
            ["transfer_data"] = null,
            ["transfer_group"] = Fields["transfer_group"]?.DeepClone(),
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
