using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary><c>/v1/customers</c>: create, retrieve, update, delete and list, with customer.* events.</summary>
internal sealed class Customers(StripeState state, Events events, PaymentMethods paymentMethods)
{
    private static readonly (string, Param)[] s_fields =
    [
        ("address", CommonParams.Address),
        ("balance", Param.Integer),
        ("description", Param.String),
        ("email", Param.String),
        ("metadata", Param.Metadata),
        ("name", Param.String),
        ("phone", Param.String),
        ("preferred_locales", Param.List(Param.String)),
        ("shipping", CommonParams.Shipping),
        ("tax_exempt", Param.Enum("exempt", "none", "reverse")),
        ("invoice_settings", Param.Hash(("default_payment_method", Param.String), ("footer", Param.String), ("custom_fields", Param.Any), ("rendering_options", Param.Any))),
        ("test_clock", Param.String),
        ("tax", Param.Any),
        ("tax_id_data", Param.Any),
        ("cash_balance", Param.Any),
        ("invoice_prefix", Param.String),
        ("next_invoice_sequence", Param.Integer),
        ("source", Param.String),
        ("coupon", Param.String),
        ("promotion_code", Param.String),
    ];

    /// <summary>Fields the customer object renders from its own members, not from <see cref="CustomerRecord.Fields"/>.</summary>
    private static readonly HashSet<string> s_handledApart = ["metadata", "invoice_settings", "payment_method", "expand"];

    private static readonly ParamSchema s_create = ParamSchema.Of([.. s_fields, ("payment_method", Param.String)]);
    private static readonly ParamSchema s_update = ParamSchema.Of([.. s_fields, ("default_source", Param.String)]);
    private static readonly ParamSchema s_list = ParamSchema.List.With(("email", Param.String), ("test_clock", Param.String));

    public void Map(StripeApi api)
    {
        api.Post("/customers", s_create, Create);
        api.Get("/customers", s_list, request =>
        {
            var email = request.Params.String("email");
            return ListPages.Render(
                state.Store.NewestFirst<CustomerRecord>(), request.Params, "/v1/customers",
                customer => !customer.Deleted && (email is null || customer.Fields["email"]?.GetValue<string>() == email));
        });
        api.Get("/customers/{id}", ParamSchema.None, request => Find(request.Id, "id", allowDeleted: true).ToJson());
        api.Post("/customers/{id}", s_update, Update);
        api.Delete("/customers/{id}", ParamSchema.None, request =>
        {
            var customer = Find(request.Id, "id");
            var before = customer.ToJson();
            customer.Deleted = true;
            events.Publish("customer.deleted", before, request.Call);
            return customer.ToJson();
        });
    }

    /// <summary>A customer that exists and was not deleted, for the resources that refer to one.</summary>
    public CustomerRecord Find(string id, string param, bool allowDeleted = false)
    {
        var customer = state.Store.Get<CustomerRecord>(id, "customer", param);
        return customer.Deleted && !allowDeleted ? throw StripeApiException.NotFound("customer", id, param) : customer;
    }

    private JsonObject Create(ApiRequest request)
    {
        var customer = new CustomerRecord { Id = StripeIds.New("cus", 14), Created = state.Now };
        var p = request.Params;
        var paymentMethod = p.String("payment_method") is { } pmId ? paymentMethods.Resolve(pmId, "payment_method") : null;
        Apply(customer, p);
        state.Store.Add(customer);
        events.Publish("customer.created", customer.ToJson(), request.Call);
        if (paymentMethod is not null)
        {
            paymentMethod.CustomerId = customer.Id;
            events.Publish("payment_method.attached", paymentMethod.ToJson(), request.Call);
        }

        return customer.ToJson();
    }

    private JsonObject Update(ApiRequest request)
    {
        var customer = Find(request.Id, "id");
        var before = customer.ToJson();
        Apply(customer, request.Params);
        var after = customer.ToJson();
        events.Publish("customer.updated", after, request.Call, Events.PreviousAttributes(before, after));
        return after;
    }

    private void Apply(CustomerRecord customer, Params p)
    {
        if (p.Nested("invoice_settings").String("default_payment_method") is { } defaultId)
        {
            var paymentMethod = state.Store.Get<PaymentMethodRecord>(defaultId, "PaymentMethod", "invoice_settings[default_payment_method]");
            if (paymentMethod.CustomerId != customer.Id)
            {
                throw StripeApiException.InvalidRequest(
                    $"The customer does not have a payment method with the ID {defaultId}. The payment method must be attached to the customer.",
                    "invoice_settings[default_payment_method]", "resource_missing");
            }

            customer.DefaultPaymentMethodId = defaultId;
        }

        customer.ApplyMetadata(p);
        foreach (var (key, value) in p.Values.Where(pair => !s_handledApart.Contains(pair.Key)))
        {
            customer.Fields[key] = value?.DeepClone();
        }
    }
}
