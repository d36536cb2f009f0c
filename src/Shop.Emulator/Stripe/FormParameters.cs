using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Shop.Emulator.Stripe;

/// <summary>
/// The flat, bracketed parameters Stripe's API takes (<c>metadata[order_id]=7</c>, <c>expand[0]=latest_charge</c>),
/// from the query string and the form body together.
/// </summary>
internal sealed class FormParameters
{
    private readonly SortedDictionary<string, string> _values;

    private FormParameters(SortedDictionary<string, string> values) => _values = values;

    /// <summary>A canonical form of every parameter, to tell an idempotent replay from a different request.</summary>
    public string Fingerprint => string.Join('&', _values.Select(pair => pair.Key + "=" + pair.Value));

    public static async Task<FormParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            values[key] = value.ToString();
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, value) in form)
            {
                values[key] = value.ToString();
            }
        }

        return new FormParameters(values);
    }

    public static FormParameters Empty() => new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    public string? Get(string key) => _values.GetValueOrDefault(key);

    public bool Has(string root) => _values.Keys.Any(key => Root(key) == root);

    public void Remove(string key) => _values.Remove(key);

    public string Require(string key) =>
        Get(key) is { Length: > 0 } value
            ? value
            : throw StripeApiException.InvalidRequest($"Missing required param: {key}.", key, "parameter_missing");

    public long? GetLong(string key)
    {
        var text = Get(key);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw StripeApiException.InvalidRequest($"Invalid integer: {text}", key, "parameter_invalid_integer");
    }

    public bool? GetBool(string key) =>
        Get(key) switch
        {
            null => null,
            "true" => true,
            "false" => false,
            var other => throw StripeApiException.InvalidRequest($"Invalid boolean: {other}", key, "parameter_invalid_boolean"),
        };

    /// <summary>Sub-keys of a hash parameter: <c>metadata[a]=1&amp;metadata[b]=2</c> gives a→1, b→2.</summary>
    public Dictionary<string, string> GetHash(string root)
    {
        var prefix = root + "[";
        return _values
            .Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal) && pair.Key.EndsWith(']'))
            .ToDictionary(pair => pair.Key[prefix.Length..^1], pair => pair.Value, StringComparer.Ordinal);
    }

    /// <summary>Array items in either form Stripe accepts: <c>expand[0]=a</c> (Stripe.net) or <c>expand[]=a</c> (Stripe.js).</summary>
    public IReadOnlyList<string> GetList(string root) => [.. GetHash(root).Values];

    /// <summary>Stripe rejects parameters it does not know; so does the emulator, naming what it supports.</summary>
    public void AllowOnly(params string[] roots)
    {
        foreach (var key in _values.Keys)
        {
            if (!roots.Contains(Root(key), StringComparer.Ordinal))
            {
                throw StripeApiException.InvalidRequest(
                    $"Received unknown parameter: {key}. (The Stripe emulator supports only: {string.Join(", ", roots)}.)",
                    key,
                    "parameter_unknown");
            }
        }
    }

    private static string Root(string key)
    {
        var bracket = key.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? key : key[..bracket];
    }
}
