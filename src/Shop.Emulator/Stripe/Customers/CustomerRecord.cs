using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

internal sealed class CustomerRecord : StripeObject
{
    /// <summary>Plain data kept as sent and rendered as is: name, email, phone, description, address, shipping, ...</summary>
    public JsonObject Fields { get; } = [];

    public string? DefaultPaymentMethodId { get; set; }

    public bool Deleted { get; set; }

    public override JsonObject ToJson()
    {
        if (Deleted)
        {
            return new JsonObject { ["id"] = Id, ["object"] = "customer", ["deleted"] = true };
        }

        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "customer",
            ["address"] = Fields["address"] is { } address ? CommonParams.AddressJson(address) : null,
            ["balance"] = Fields["balance"]?.DeepClone() ?? 0,
            ["created"] = Created,
            ["currency"] = null,
            ["default_source"] = null,
            ["delinquent"] = false,
            ["description"] = Fields["description"]?.DeepClone(),
            ["discount"] = null,
            ["email"] = Fields["email"]?.DeepClone(),
            ["invoice_prefix"] = Id[4..11].ToUpperInvariant(),
            ["invoice_settings"] = new JsonObject
            {
                ["custom_fields"] = null,
                ["default_payment_method"] = DefaultPaymentMethodId,
                ["footer"] = null,
                ["rendering_options"] = null,
            },
            ["livemode"] = false,
            ["metadata"] = MetadataJson(),
            ["name"] = Fields["name"]?.DeepClone(),
            ["next_invoice_sequence"] = 1,
            ["phone"] = Fields["phone"]?.DeepClone(),
            ["preferred_locales"] = Fields["preferred_locales"]?.DeepClone() ?? new JsonArray(),
            ["shipping"] = CommonParams.ShippingJson(Fields["shipping"]),
            ["tax_exempt"] = Fields["tax_exempt"]?.DeepClone() ?? "none",
            ["test_clock"] = null,
        };
    }
}
