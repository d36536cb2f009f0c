using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

internal sealed class RefundRecord : StripeObject
{
    public required ChargeRecord Charge { get; init; }

    public required long Amount { get; init; }

    public string? Reason { get; init; }

    /// <summary>pending, succeeded, failed or canceled.</summary>
    public required string Status { get; set; }

    public override JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "refund",
        ["amount"] = Amount,
        ["balance_transaction"] = null,
        ["charge"] = Charge.Id,
        ["created"] = Created,
        ["currency"] = Charge.PaymentIntent.Currency,
        ["destination_details"] = Charge.PaymentMethod.Type == "card"
            ? new JsonObject
            {
                ["card"] = new JsonObject { ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
                ["type"] = "card",
            }
            : null,
        ["metadata"] = MetadataJson(),
        ["payment_intent"] = Charge.PaymentIntent.Id,
        ["reason"] = Reason,
        ["receipt_number"] = null,
        ["source_transfer_reversal"] = null,
        ["status"] = Status,
        ["transfer_reversal"] = null,
    };
}
