using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>Parameters several resources take (addresses, shipping, billing details), and their rendered shapes with every field present.</summary>
internal static class CommonParams
{
    public static readonly Param Address = Param.Hash(
        ("city", Param.String), ("country", Param.String), ("line1", Param.String), ("line2", Param.String), ("postal_code", Param.String), ("state", Param.String));

    public static readonly Param Shipping = Param.Hash(
        ("address", Address.Required), ("name", Param.String.Required), ("carrier", Param.String), ("phone", Param.String), ("tracking_number", Param.String));

    public static readonly Param BillingDetails = Param.Hash(
        ("address", Address), ("email", Param.String), ("name", Param.String), ("phone", Param.String), ("tax_id", Param.String));

    public static JsonObject AddressJson(JsonNode? given) => Fill(given, "city", "country", "line1", "line2", "postal_code", "state");

    public static JsonObject? ShippingJson(JsonNode? given)
    {
        if (given is null)
        {
            return null;
        }

        var shipping = Fill(given, "carrier", "name", "phone", "tracking_number");
        shipping["address"] = AddressJson(given["address"]);
        return shipping;
    }

    public static JsonObject BillingDetailsJson(JsonNode? given)
    {
        var details = Fill(given, "email", "name", "phone", "tax_id");
        details["address"] = AddressJson(given?["address"]);
        return details;
    }

    /// <summary>Stripe renders every field of a hash, null where nothing was given.</summary>
    private static JsonObject Fill(JsonNode? given, params string[] fields)
    {
        var json = new JsonObject();
        foreach (var field in fields)
        {
            json[field] = given?[field]?.DeepClone();
        }

        return json;
    }
}
