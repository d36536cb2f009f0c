using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

internal sealed class PaymentIntentRecord : StripeObject
{
    /// <summary>Plain data a caller sets and Stripe echoes: rendered as given (shipping filled out to its full shape).</summary>
    public static readonly string[] EchoedFields =
    [
        "application_fee_amount", "description", "on_behalf_of", "receipt_email", "setup_future_usage", "shipping",
        "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group",
    ];

    // Stripe shows only these to a publishable key holding the client secret: no metadata, no charge.
    private static readonly HashSet<string> s_publishableFields =
    [
        "id", "object", "amount", "amount_details", "automatic_payment_methods", "canceled_at", "cancellation_reason",
        "capture_method", "client_secret", "confirmation_method", "created", "currency", "description",
        "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_types", "processing",
        "receipt_email", "setup_future_usage", "shipping", "source", "status",
    ];

    public required string ClientSecret { get; init; }

    public required long Amount { get; set; }

    public required string Currency { get; set; }

    public JsonObject? AutomaticPaymentMethods { get; set; }

    public List<string> PaymentMethodTypes { get; set; } = ["card"];

    public string CaptureMethod { get; set; } = "automatic_async";

    public string ConfirmationMethod { get; set; } = "automatic";

    public JsonObject Fields { get; } = [];

    public JsonObject PaymentMethodOptions { get; } = [];

    public string? CustomerId { get; set; }

    public string Status { get; set; } = "requires_payment_method";

    public PaymentMethodRecord? PaymentMethod { get; set; }

    public ChargeRecord? LatestCharge { get; set; }

    public long AmountCapturable { get; set; }

    public long AmountReceived { get; set; }

    public JsonObject? LastPaymentError { get; set; }

    public JsonObject? NextAction { get; set; }

    public long? CanceledAt { get; set; }

    public string? CancellationReason { get; set; }

    /// <summary>Where the 3-D Secure challenge page sends the customer back to.</summary>
    public string? ReturnUrl { get; set; }

    public bool OffSession { get; set; }

    /// <summary>Whether a PaymentMethod of this type may pay this intent.</summary>
    public bool Accepts(string paymentMethodType) => AutomaticPaymentMethods is not null || PaymentMethodTypes.Contains(paymentMethodType);

    public override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["object"] = "payment_intent",
            ["amount"] = Amount,
            ["amount_capturable"] = AmountCapturable,
            ["amount_details"] = new JsonObject { ["tip"] = new JsonObject() },
            ["amount_received"] = AmountReceived,
            ["application"] = null,
            ["automatic_payment_methods"] = AutomaticPaymentMethods?.DeepClone(),
            ["canceled_at"] = CanceledAt,
            ["cancellation_reason"] = CancellationReason,
            ["capture_method"] = CaptureMethod,
            ["client_secret"] = ClientSecret,
            ["confirmation_method"] = ConfirmationMethod,
            ["created"] = Created,
            ["currency"] = Currency,
            ["customer"] = CustomerId,
            ["last_payment_error"] = LastPaymentError?.DeepClone(),
            ["latest_charge"] = LatestCharge?.Id,
            ["livemode"] = false,
            ["metadata"] = MetadataJson(),
            ["next_action"] = NextAction?.DeepClone(),
            ["payment_method"] = PaymentMethod?.Id,
            ["payment_method_configuration_details"] = null,
            ["payment_method_options"] = PaymentMethodOptionsJson(),
            ["payment_method_types"] = new JsonArray([.. PaymentMethodTypes.Select(type => (JsonNode)type)]),
            ["processing"] = Status == "processing" && PaymentMethod is { } pm ? new JsonObject { ["type"] = pm.Type } : null,
            ["review"] = null,
            ["source"] = null,
            ["status"] = Status,
        };
        foreach (var field in EchoedFields)
        {
            json[field] = field == "shipping" ? CommonParams.ShippingJson(Fields[field]) : Fields[field]?.DeepClone();
        }

        return json;
    }

    public JsonObject ToPublishableJson()
    {
        var json = ToJson();
        foreach (var key in json.Select(pair => pair.Key).Where(key => !s_publishableFields.Contains(key)).ToList())
        {
            json.Remove(key);
        }

        return json;
    }

    private JsonObject PaymentMethodOptionsJson()
    {
        var options = new JsonObject();
        foreach (var type in PaymentMethodTypes)
        {
            var defaults = type == "card"
                ? new JsonObject { ["installments"] = null, ["mandate_options"] = null, ["network"] = null, ["request_three_d_secure"] = "automatic" }
                : new JsonObject();
            foreach (var (key, value) in PaymentMethodOptions[type] as JsonObject ?? [])
            {
                defaults[key] = value?.DeepClone();
            }

            options[type] = defaults;
        }

        return options;
    }
}
