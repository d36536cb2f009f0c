using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Stripe's search query language (https://docs.stripe.com/search#search-query-language): clauses such as
/// <c>status:'succeeded'</c>, <c>amount&gt;1000</c>, <c>metadata['order_id']:'42'</c>, <c>-currency:'eur'</c>, joined by
/// AND or by OR (not both). Each resource says how to read a field of its objects.
/// </summary>
internal sealed class SearchQuery
{
    /// <summary>Reads <paramref name="field"/> (with its <c>['key']</c> for metadata) from an object; null when it has none.</summary>
    public delegate string? FieldReader<in T>(T item, string field, string? key);

    private readonly List<Clause> _clauses;
    private readonly bool _any;

    private SearchQuery(List<Clause> clauses, bool any)
    {
        _clauses = clauses;
        _any = any;
    }

    public static readonly ParamSchema Schema = ParamSchema.Of(("query", Param.String.Required), ("limit", Param.Integer), ("page", Param.String));

    /// <summary>Runs <c>query</c> over <paramref name="newestFirst"/> and renders Stripe's <c>search_result</c> page.</summary>
    public static JsonObject Render<T>(IEnumerable<T> newestFirst, Params p, string url, IReadOnlySet<string> fields, FieldReader<T> read)
        where T : StripeObject
    {
        var query = Parse(p.String("query")!, fields);
        var limit = p.Long("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw StripeApiException.InvalidRequest("Invalid limit: must be an integer between 1 and 100.", "limit");
        }

        var matches = newestFirst.Where(item => query.Matches(item, read));
        if (p.String("page") is { } page)
        {
            matches = matches.SkipWhile(item => item.Id != page).Skip(1);
        }

        var found = matches.Take((int)limit + 1).ToList();
        var hasMore = found.Count > limit;
        var data = hasMore ? found[..(int)limit] : found;
        return new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = new JsonArray([.. data.Select(item => (JsonNode)item.ToJson())]),
            ["has_more"] = hasMore,
            ["next_page"] = hasMore ? data[^1].Id : null,
            ["url"] = url,
        };
    }

    public static SearchQuery Parse(string text, IReadOnlySet<string> fields)
    {
        var reader = new Reader(text);
        var clauses = new List<Clause> { reader.ReadClause(fields) };
        string? joiner = null;
        while (!reader.AtEnd)
        {
            var word = reader.ReadWord();
            if (word is not ("AND" or "OR"))
            {
                throw Invalid($"expected AND or OR, found '{word}'");
            }

            if (joiner is not null && joiner != word)
            {
                throw Invalid("AND and OR cannot be combined in one query");
            }

            joiner = word;
            clauses.Add(reader.ReadClause(fields));
        }

        return new SearchQuery(clauses, joiner == "OR");
    }

    public bool Matches<T>(T item, FieldReader<T> read) =>
        _any ? _clauses.Any(clause => clause.Matches(read(item, clause.Field, clause.Key))) : _clauses.All(clause => clause.Matches(read(item, clause.Field, clause.Key)));

    private static StripeApiException Invalid(string detail) =>
        StripeApiException.InvalidRequest($"Invalid search query: {detail}. See https://docs.stripe.com/search#search-query-language.", "query");

    private sealed record Clause(string Field, string? Key, string Operator, string Value, bool Negated)
    {
        public bool Matches(string? actual)
        {
            bool result;
            if (Operator == ":")
            {
                result = actual is not null && string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                result = actual is not null
                    && long.TryParse(actual, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    && long.TryParse(Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound)
                    && Operator switch
                    {
                        ">" => number > bound,
                        ">=" => number >= bound,
                        "<" => number < bound,
                        _ => number <= bound,
                    };
            }

            return result != Negated;
        }
    }

    private sealed class Reader(string text)
    {
        private int _at;

        public bool AtEnd
        {
            get
            {
                SkipSpaces();
                return _at >= text.Length;
            }
        }

        public string ReadWord()
        {
            SkipSpaces();
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or '.'))
            {
                _at++;
            }

            return text[start.._at];
        }

        public Clause ReadClause(IReadOnlySet<string> fields)
        {
            SkipSpaces();
            var negated = _at < text.Length && text[_at] == '-';
            if (negated)
            {
                _at++;
            }

            var field = ReadWord();
            if (!fields.Contains(field))
            {
                throw Invalid(field.Length == 0 ? "expected a field name" : $"'{field}' is not a field you can search on; try one of {string.Join(", ", fields.Order(StringComparer.Ordinal))}");
            }

            string? key = null;
            if (_at < text.Length && text[_at] == '[')
            {
                _at++;
                key = ReadQuoted();
                Expect(']');
            }

            var op = _at + 1 < text.Length && text[_at + 1] == '=' && text[_at] is '<' or '>' ? text.Substring(_at, 2)
                : _at < text.Length && text[_at] is ':' or '<' or '>' ? text[_at].ToString()
                : throw Invalid($"expected ':', '<', '>', '<=' or '>=' after '{field}'");
            _at += op.Length;
            SkipSpaces();
            var value = _at < text.Length && text[_at] is '\'' or '"' ? ReadQuoted() : ReadWord();
            return new Clause(field, key, op, value, negated);
        }

        private string ReadQuoted()
        {
            if (_at >= text.Length || text[_at] is not ('\'' or '"'))
            {
                throw Invalid("expected a quoted value");
            }

            var quote = text[_at++];
            var start = _at;
            while (_at < text.Length && text[_at] != quote)
            {
                _at++;
            }

            if (_at >= text.Length)
            {
                throw Invalid("unterminated quote");
            }

            return text[start.._at++];
        }

        private void Expect(char c)
        {
            if (_at >= text.Length || text[_at] != c)
            {
                throw Invalid($"expected '{c}'");
            }

            _at++;
        }

        private void SkipSpaces()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }
    }
}
