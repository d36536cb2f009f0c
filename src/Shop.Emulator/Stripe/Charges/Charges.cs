using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary><c>/v1/charges</c>: retrieve, list, search and update. Charges are made by confirming PaymentIntents.</summary>
internal sealed class Charges(StripeState state, Events events)
{
    private static readonly HashSet<string> s_searchFields = new(StringComparer.Ordinal)
    {
        "amount", "created", "currency", "customer", "metadata", "payment_intent", "refunded", "disputed", "status",
    };

    private static readonly ParamSchema s_update = ParamSchema.Of(
        ("customer", Param.String), ("description", Param.String), ("fraud_details", Param.Any), ("metadata", Param.Metadata),
        ("receipt_email", Param.String), ("shipping", CommonParams.Shipping), ("transfer_group", Param.String));

    public void Map(StripeApi api)
    {
        api.Get("/charges", ParamSchema.List.With(("customer", Param.String), ("payment_intent", Param.String), ("transfer_group", Param.String)), request =>
        {
            var p = request.Params;
            var (customer, paymentIntent, transferGroup) = (p.String("customer"), p.String("payment_intent"), p.String("transfer_group"));
            return ListPages.Render(state.Store.NewestFirst<ChargeRecord>(), p, "/v1/charges", charge =>
                (customer is null || charge.PaymentIntent.CustomerId == customer)
                && (paymentIntent is null || charge.PaymentIntent.Id == paymentIntent)
                && (transferGroup is null || charge.Fields["transfer_group"]?.GetValue<string>() == transferGroup));
        });
        api.Get("/charges/search", SearchQuery.Schema, request =>
            SearchQuery.Render(state.Store.NewestFirst<ChargeRecord>(), request.Params, "/v1/charges/search", s_searchFields, ReadField));
        api.Get("/charges/{id}", ParamSchema.None, request => Find(request.Id, "id").ToJson());
        api.Post("/charges/{id}", s_update, Update);
    }

    public ChargeRecord Find(string id, string param) => state.Store.Get<ChargeRecord>(id, "charge", param);

    private JsonObject Update(ApiRequest request)
    {
        var charge = Find(request.Id, "id");
        var p = request.Params;
        var before = charge.ToJson();
        charge.ApplyMetadata(p);
        foreach (var (key, value) in p.Values.Where(pair => pair.Key is not ("metadata" or "expand" or "customer")))
        {
            charge.Fields[key] = value?.DeepClone();
        }

        var after = charge.ToJson();
        events.Publish("charge.updated", after, request.Call, Events.PreviousAttributes(before, after));
        return after;
    }

    private static string? ReadField(ChargeRecord charge, string field, string? key) => field switch
    {
        "amount" => charge.Amount.ToString(CultureInfo.InvariantCulture),
        "created" => charge.Created.ToString(CultureInfo.InvariantCulture),
        "currency" => charge.PaymentIntent.Currency,
        "customer" => charge.PaymentIntent.CustomerId,
        "metadata" => key is null ? null : charge.Metadata.GetValueOrDefault(key),
        "payment_intent" => charge.PaymentIntent.Id,
        "refunded" => charge.FullyRefunded ? "true" : "false",
        "disputed" => charge.Dispute is null ? "false" : "true",
        _ => charge.Status,
    };
}
