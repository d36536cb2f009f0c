using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>expand[]=latest_charge</c>, <c>expand[]=data.customer</c>, <c>expand[]=latest_charge.payment_method</c>: an id in
/// the answer replaced by the object it names, for every resource alike. Paths are checked before a request
/// changes anything, so a bad expand cannot fail a request that already charged a card.
/// </summary>
internal static class Expansion
{
    private static readonly HashSet<string> s_expandable = new(StringComparer.Ordinal)
    {
        "latest_charge", "payment_method", "customer", "charge", "payment_intent", "default_payment_method",
        "invoice_settings", "balance_transaction", "failure_balance_transaction", "data", "object",
    };

    public static void Check(IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            if (path.Split('.').Any(segment => !s_expandable.Contains(segment)) || path.Split('.').Length > 4)
            {
                throw StripeApiException.InvalidRequest($"This property cannot be expanded ({path}).", "expand");
            }
        }
    }

    public static void Apply(JsonObject json, IReadOnlyList<string> paths, ObjectStore store)
    {
        foreach (var path in paths)
        {
            Expand(json, path.Split('.'), store);
        }
    }

    private static void Expand(JsonObject json, ReadOnlySpan<string> path, ObjectStore store)
    {
        var field = path[0];
        if (json[field] is JsonArray items && field == "data")
        {
            foreach (var item in items.OfType<JsonObject>())
            {
                if (path.Length > 1)
                {
                    Expand(item, path[1..], store);
                }
            }

            return;
        }

        if (json[field] is JsonValue value && value.TryGetValue<string>(out var id) && store.Find(id) is { } found)
        {
            json[field] = found.ToJson();
        }

        if (path.Length > 1 && json[field] is JsonObject nested)
        {
            Expand(nested, path[1..], store);
        }
    }
}
