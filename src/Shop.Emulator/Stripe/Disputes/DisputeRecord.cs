using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

internal sealed class DisputeRecord : StripeObject
{
    public static readonly string[] EvidenceFields =
    [
        "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure", "cancellation_rebuttal",
        "customer_communication", "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
        "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
        "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
        "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
        "uncategorized_file", "uncategorized_text",
    ];

    public required ChargeRecord Charge { get; init; }

    public required string Reason { get; init; }

    /// <summary>An inquiry (a "retrieval request") has warning_* statuses and takes no funds until it escalates.</summary>
    public required bool Inquiry { get; init; }

    public required string Status { get; set; }

    public required long DueBy { get; init; }

    public JsonObject Evidence { get; } = [];

    public int SubmissionCount { get; set; }

    public bool IsClosed => Status is "won" or "lost" or "warning_closed";

    public override JsonObject ToJson()
    {
        var evidence = new JsonObject();
        foreach (var field in EvidenceFields)
        {
            evidence[field] = Evidence[field]?.DeepClone();
        }

        evidence["enhanced_evidence"] = new JsonObject();
        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "dispute",
            ["amount"] = Charge.Amount,
            ["balance_transactions"] = new JsonArray(),
            ["charge"] = Charge.Id,
            ["created"] = Created,
            ["currency"] = Charge.PaymentIntent.Currency,
            ["enhanced_eligibility_types"] = new JsonArray(),
            ["evidence"] = evidence,
            ["evidence_details"] = new JsonObject
            {
                ["due_by"] = IsClosed ? null : DueBy,
                ["enhanced_eligibility"] = new JsonObject(),
                ["has_evidence"] = Evidence.Count > 0,
                ["past_due"] = false,
                ["submission_count"] = SubmissionCount,
            },
            ["is_charge_refundable"] = Inquiry && !IsClosed,
            ["livemode"] = false,
            ["metadata"] = MetadataJson(),
            ["payment_intent"] = Charge.PaymentIntent.Id,
            ["payment_method_details"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["brand"] = Charge.PaymentMethod.Card?.Brand,
                    ["case_type"] = Inquiry ? "inquiry" : "chargeback",
                    ["network_reason_code"] = Reason == "fraudulent" ? "10.4" : "13.1",
                    ["network"] = Charge.PaymentMethod.Card?.Brand,
                },
                ["type"] = "card",
            },
            ["reason"] = Reason,
            ["status"] = Status,
        };
    }
}
