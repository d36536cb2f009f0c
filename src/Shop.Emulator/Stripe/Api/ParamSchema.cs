using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// What one parameter may hold, checked the way Stripe checks it: the raw form value (a string, or a hash
/// built from bracketed keys) goes in, a typed JSON node comes out, or Stripe's invalid_request_error naming
/// the parameter. Every endpoint declares its parameters with these, so all share one way of validating.
/// </summary>
internal abstract record Param
{
    public static readonly Param String = new StringParam();
    public static readonly Param Integer = new IntegerParam();
    public static readonly Param Boolean = new BooleanParam();
    public static readonly Param Metadata = new MetadataParam();

    /// <summary>Accepted and kept as sent: large documented hashes (payment_method_options, mandate_data) the emulator only echoes.</summary>
    public static readonly Param Any = new AnyParam();

    /// <summary>A timestamp filter: <c>created=123</c> or <c>created[gte]=123</c>.</summary>
    public static readonly Param Range = Hash(("gt", Integer), ("gte", Integer), ("lt", Integer), ("lte", Integer)) with { AcceptsScalar = Integer };

    public bool IsRequired { get; init; }

    /// <summary>For a hash parameter that may also be sent as a plain value (<c>created=123</c>).</summary>
    protected Param? AcceptsScalar { get; init; }

    public Param Required => this with { IsRequired = true };

    public static Param Enum(params string[] values) => new EnumParam(values);

    public static Param Hash(params (string Name, Param Param)[] fields) => new HashParam(fields.ToDictionary(f => f.Name, f => f.Param, StringComparer.Ordinal));

    public static Param List(Param item) => new ListParam(item);

    public static Param Either(Param first, Param second) => new EitherParam(first, second);

    /// <summary>Checks <paramref name="raw"/> (never null: an absent parameter is not validated) and returns its typed value.</summary>
    public JsonNode? Validate(JsonNode raw, string path)
    {
        if (raw is JsonValue value && value.GetValue<string>().Length == 0)
        {
            return null; // Stripe's way to unset a field: description=
        }

        if (AcceptsScalar is not null && raw is JsonValue)
        {
            return AcceptsScalar.Validate(raw, path);
        }

        return Check(raw, path);
    }

    protected abstract JsonNode? Check(JsonNode raw, string path);

    protected static string Text(JsonNode raw, string path, string kind) =>
        raw is JsonValue value
            ? value.GetValue<string>()
            : throw StripeApiException.InvalidRequest($"Invalid {kind}: {path} must be a single value, not a hash or array.", path, "parameter_invalid_" + kind);

    private sealed record StringParam : Param
    {
        protected override JsonNode Check(JsonNode raw, string path) => Text(raw, path, "string");
    }

    private sealed record IntegerParam : Param
    {
        protected override JsonNode Check(JsonNode raw, string path)
        {
            var text = Text(raw, path, "integer");
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw StripeApiException.InvalidRequest($"Invalid integer: {text}", path, "parameter_invalid_integer");
        }
    }

    private sealed record BooleanParam : Param
    {
        protected override JsonNode Check(JsonNode raw, string path) =>
            Text(raw, path, "boolean") switch
            {
                "true" => true,
                "false" => false,
                var other => throw StripeApiException.InvalidRequest($"Invalid boolean: {other}", path, "parameter_invalid_boolean"),
            };
    }

    private sealed record EnumParam(string[] Values) : Param
    {
        protected override JsonNode Check(JsonNode raw, string path)
        {
            var text = Text(raw, path, "string");
            if (Values.Contains(text, StringComparer.Ordinal))
            {
                return text;
            }

            var choices = Values.Length == 1 ? Values[0] : string.Join(", ", Values[..^1]) + ", or " + Values[^1];
            throw StripeApiException.InvalidRequest($"Invalid {path}: must be one of {choices}", path, "parameter_invalid_string");
        }
    }

    private sealed record MetadataParam : Param
    {
        protected override JsonNode Check(JsonNode raw, string path)
        {
            if (raw is not JsonObject hash)
            {
                throw StripeApiException.InvalidRequest($"Invalid hash: {path} must be a hash of keys and values.", path, "parameter_invalid_hash");
            }

            var result = new JsonObject();
            foreach (var (key, value) in hash)
            {
                var text = Text(value!, $"{path}[{key}]", "string");
                if (key.Length > 40 || text.Length > 500)
                {
                    throw StripeApiException.InvalidRequest("Metadata keys can be up to 40 characters long and values up to 500 characters long.", $"{path}[{key}]");
                }

                result[key] = text; // "" stays: it deletes the key
            }

            return result;
        }
    }

    private sealed record AnyParam : Param
    {
        protected override JsonNode Check(JsonNode raw, string path) => raw.DeepClone();
    }

    private sealed record HashParam(Dictionary<string, Param> Fields) : Param
    {
        protected override JsonNode Check(JsonNode raw, string path)
        {
            if (raw is not JsonObject hash)
            {
                throw StripeApiException.InvalidRequest($"Invalid hash: {path} must be a hash of keys and values.", path, "parameter_invalid_hash");
            }

            return ValidateFields(Fields, hash, path);
        }
    }

    private sealed record ListParam(Param Item) : Param
    {
        protected override JsonNode Check(JsonNode raw, string path)
        {
            // Arrays arrive as items[0]=a&items[1]=b (Stripe.net, stripe-node) or items[]=a (Stripe.js, the CLI).
            if (raw is not JsonObject indexed || indexed.Any(pair => !int.TryParse(pair.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw StripeApiException.InvalidRequest($"Invalid array: {path} must be an array.", path, "parameter_invalid_array");
            }

            var items = new JsonArray();
            foreach (var (index, value) in indexed.OrderBy(pair => int.Parse(pair.Key, CultureInfo.InvariantCulture)))
            {
                items.Add(Item.Validate(value!, $"{path}[{index}]"));
            }

            return items;
        }
    }

    private sealed record EitherParam(Param First, Param Second) : Param
    {
        protected override JsonNode? Check(JsonNode raw, string path)
        {
            try
            {
                return First.Validate(raw, path);
            }
            catch (StripeApiException)
            {
                return Second.Validate(raw, path);
            }
        }
    }

    /// <summary>Validates a hash against its declared fields: unknown keys and missing required ones are errors.</summary>
    public static JsonObject ValidateFields(IReadOnlyDictionary<string, Param> fields, JsonObject hash, string? path)
    {
        var result = new JsonObject();
        foreach (var (key, value) in hash)
        {
            var keyPath = path is null ? key : $"{path}[{key}]";
            if (!fields.TryGetValue(key, out var param))
            {
                throw StripeApiException.InvalidRequest($"Received unknown parameter: {keyPath}", keyPath, "parameter_unknown");
            }

            result[key] = param.Validate(value!, keyPath);
        }

        foreach (var (key, param) in fields)
        {
            if (param.IsRequired && result[key] is null)
            {
                var keyPath = path is null ? key : $"{path}[{key}]";
                throw StripeApiException.InvalidRequest($"Missing required param: {keyPath}.", keyPath, "parameter_missing");
            }
        }

        return result;
    }
}

/// <summary>An endpoint's parameters. <c>expand</c> is allowed everywhere, as in Stripe.</summary>
internal sealed class ParamSchema
{
    public static readonly ParamSchema None = new([]);

    /// <summary>What every list endpoint takes.</summary>
    public static readonly ParamSchema List = new(
        [("limit", Param.Integer), ("starting_after", Param.String), ("ending_before", Param.String), ("created", Param.Range)]);

    private readonly Dictionary<string, Param> _fields;

    public ParamSchema(IEnumerable<(string Name, Param Param)> fields)
    {
        _fields = new Dictionary<string, Param>(StringComparer.Ordinal) { ["expand"] = Param.List(Param.String) };
        foreach (var (name, param) in fields)
        {
            _fields[name] = param; // a later declaration refines an earlier one (With)
        }
    }

    public static ParamSchema Of(params (string Name, Param Param)[] fields) => new(fields);

    public ParamSchema With(params (string Name, Param Param)[] fields) => new(_fields.Select(pair => (pair.Key, pair.Value)).Concat(fields));

    public bool Allows(string name) => _fields.ContainsKey(name);

    public JsonObject Validate(JsonObject raw) => Param.ValidateFields(_fields, raw, path: null);
}
