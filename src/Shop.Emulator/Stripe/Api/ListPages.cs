using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>Stripe's list envelope and cursor paging (<c>limit</c>, <c>starting_after</c>, <c>ending_before</c>, <c>created</c>), for every list endpoint.</summary>
internal static class ListPages
{
    public static JsonObject Render<T>(IEnumerable<T> newestFirst, Params p, string url, Func<T, bool>? filter = null)
        where T : StripeObject
    {
        var limit = p.Long("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw StripeApiException.InvalidRequest("Invalid limit: must be an integer between 1 and 100.", "limit");
        }

        var created = CreatedFilter(p.Node("created"));
        bool Matches(T item) => created(item.Created) && (filter is null || filter(item));
        List<T> page;
        if (p.String("starting_after") is { } after)
        {
            EnsureCursor(newestFirst, after, "starting_after");
            page = [.. newestFirst.SkipWhile(item => item.Id != after).Skip(1).Where(Matches).Take((int)limit + 1)];
        }
        else if (p.String("ending_before") is { } before)
        {
            EnsureCursor(newestFirst, before, "ending_before");
            var newer = newestFirst.TakeWhile(item => item.Id != before).Where(Matches).ToList();
            page = [.. newer.Skip(Math.Max(0, newer.Count - (int)limit - 1))];
            if (page.Count > limit)
            {
                page.RemoveAt(0); // the extra item lies beyond the cursor's far side: it only says there is more
                return Envelope(page, hasMore: true, url);
            }

            return Envelope(page, hasMore: false, url);
        }
        else
        {
            page = [.. newestFirst.Where(Matches).Take((int)limit + 1)];
        }

        var hasMore = page.Count > limit;
        return Envelope(hasMore ? page[..(int)limit] : page, hasMore, url);
    }

    public static JsonObject Envelope<T>(IEnumerable<T> items, bool hasMore, string url)
        where T : StripeObject => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. items.Select(item => (JsonNode)item.ToJson())]),
        ["has_more"] = hasMore,
        ["url"] = url,
    };

    /// <summary><c>created=123</c> or <c>created[gte]=..&amp;created[lt]=..</c>.</summary>
    public static Func<long, bool> CreatedFilter(JsonNode? created)
    {
        if (created is JsonValue exact)
        {
            var at = exact.GetValue<long>();
            return value => value == at;
        }

        if (created is not JsonObject range)
        {
            return _ => true;
        }

        var gt = range["gt"]?.GetValue<long>();
        var gte = range["gte"]?.GetValue<long>();
        var lt = range["lt"]?.GetValue<long>();
        var lte = range["lte"]?.GetValue<long>();
        return value => (gt is null || value > gt) && (gte is null || value >= gte) && (lt is null || value < lt) && (lte is null || value <= lte);
    }

    private static void EnsureCursor<T>(IEnumerable<T> items, string id, string param)
        where T : StripeObject
    {
        if (!items.Any(item => item.Id == id))
        {
            throw StripeApiException.NotFound("object", id, param);
        }
    }
}
