using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Shop.Emulator.Stripe;

/// <summary>
/// A request's parameters after <see cref="ParamSchema"/> checked them: typed values in a JSON tree, so a
/// handler reads <c>p.Long("amount")</c> and echoes plain data (<c>shipping</c>) as it came.
/// A key present with a null value was sent empty, Stripe's way of unsetting a field.
/// </summary>
internal sealed class Params(JsonObject values)
{
    public JsonObject Values => values;

    public bool Has(string name) => values.ContainsKey(name);

    public JsonNode? Node(string name) => values[name];

    public string? String(string name) => values[name]?.GetValue<string>();

    public long? Long(string name) => values[name]?.GetValue<long>();

    public bool? Bool(string name) => values[name] is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public JsonObject? Hash(string name) => values[name] as JsonObject;

    public Params Nested(string name) => new(Hash(name) ?? []);

    public IReadOnlyList<string> List(string name) =>
        values[name] is JsonArray items ? [.. items.Select(item => item!.GetValue<string>())] : [];

    /// <summary>The bracketed form (<c>shipping[address][city]=x</c>, <c>expand[]=a</c>) from query and body, as nested hashes of strings.</summary>
    public static async Task<(JsonObject Raw, string Fingerprint)> ReadRawAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in request.Query)
        {
            pairs.AddRange(value.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, value) in form)
            {
                pairs.AddRange(value.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
            }
        }

        var raw = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            Insert(raw, key, value);
        }

        return (raw, string.Join('&', pairs.Select(pair => pair.Key + "=" + pair.Value).Order(StringComparer.Ordinal)));
    }

    private static void Insert(JsonObject root, string key, string value)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        var segments = new List<string> { open < 0 ? key : key[..open] };
        while (open >= 0)
        {
            var close = key.IndexOf(']', open);
            if (close < 0)
            {
                break;
            }

            segments.Add(key[(open + 1)..close]);
            open = key.IndexOf('[', close);
        }

        var node = root;
        for (var i = 0; i < segments.Count; i++)
        {
            // An empty segment (items[]) appends: it takes the next free index.
            var segment = segments[i].Length == 0 ? node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : segments[i];
            if (i == segments.Count - 1)
            {
                node[segment] = value;
                return;
            }

            if (node[segment] is not JsonObject child)
            {
                child = [];
                node[segment] = child;
            }

            node = child;
        }
    }
}
