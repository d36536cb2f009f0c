using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// Creates events (kept in the store like any object, so <c>GET /v1/events</c> shows exactly what was sent) and
/// hands them to the <see cref="WebhookSender"/>; serves <c>/v1/events</c>.
/// </summary>
internal sealed class Events(StripeState state, WebhookSender webhooks)
{
    private static readonly ParamSchema s_list = ParamSchema.List.With(
        ("type", Param.String), ("types", Param.List(Param.String)), ("delivery_success", Param.Boolean));

    public void Map(StripeApi api)
    {
        api.Get("/events", s_list, List);
        api.Get("/events/{id}", ParamSchema.None, request => state.Store.Get<EventRecord>(request.Id, "event").ToJson());
    }

    public EventRecord Publish(string type, JsonObject dataObject, ApiCall call, JsonObject? previousAttributes = null)
    {
        var data = new JsonObject { ["object"] = dataObject.DeepClone() };
        if (previousAttributes is not null)
        {
            data["previous_attributes"] = previousAttributes.DeepClone();
        }

        var record = new EventRecord
        {
            Id = StripeIds.New("evt"),
            Created = state.Now,
            Type = type,
            Data = data,
            ApiVersion = call.ApiVersion ?? StripeEmulatorServer.ApiVersion,
            RequestId = call.RequestId,
            IdempotencyKey = call.IdempotencyKey,
        };
        state.Store.Add(record);
        webhooks.Dispatch(record);
        return record;
    }

    /// <summary>The top-level fields an update changed, with their old values, as Stripe's <c>previous_attributes</c>.</summary>
    public static JsonObject PreviousAttributes(JsonObject before, JsonObject after)
    {
        var previous = new JsonObject();
        foreach (var (key, value) in before)
        {
            if (!JsonNode.DeepEquals(value, after[key]))
            {
                previous[key] = value?.DeepClone();
            }
        }

        return previous;
    }

    /// <summary>Stripe's event type patterns: <c>charge.succeeded</c>, <c>charge.*</c>, <c>charge.dispute.*</c>, or <c>*</c>.</summary>
    public static bool TypeMatches(string pattern, string type) =>
        pattern == "*" || pattern == type
        || (pattern.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(pattern[..^1], StringComparison.Ordinal));

    private JsonObject List(ApiRequest request)
    {
        var p = request.Params;
        var type = p.String("type");
        var types = p.List("types");
        if (type is not null && types.Count > 0)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: type, types.", "types");
        }

        var deliverySuccess = p.Bool("delivery_success");
        return ListPages.Render(state.Store.NewestFirst<EventRecord>(), p, "/v1/events", e =>
            (type is null || TypeMatches(type, e.Type))
            && (types.Count == 0 || types.Any(t => TypeMatches(t, e.Type)))
            && (deliverySuccess is null || e.DeliveredEverywhere == deliverySuccess));
    }
}
