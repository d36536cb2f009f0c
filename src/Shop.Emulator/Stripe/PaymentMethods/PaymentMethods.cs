using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>/v1/payment_methods</c>: cards from test numbers and from the <c>pm_card_*</c> and <c>tok_*</c> shortcuts, SEPA Direct
/// Debit accounts; attach to and detach from customers.
/// </summary>
internal sealed class PaymentMethods(StripeState state, Events events)
{
    /// <summary>What <c>POST /v1/payment_methods</c> takes, and PaymentIntents take as <c>payment_method_data</c>.</summary>
    public static readonly (string, Param)[] DataFields =
    [
        ("type", Param.Enum("card", "sepa_debit").Required),
        ("card", Param.Hash(("number", Param.String), ("exp_month", Param.Integer), ("exp_year", Param.Integer), ("cvc", Param.String), ("token", Param.String))),
        ("sepa_debit", Param.Hash(("iban", Param.String.Required))),
        ("billing_details", CommonParams.BillingDetails),
        ("metadata", Param.Metadata),
        ("allow_redisplay", Param.Enum("always", "limited", "unspecified")),
    ];

    private static readonly ParamSchema s_create = ParamSchema.Of(DataFields);

    private static readonly ParamSchema s_update = ParamSchema.Of(
        ("billing_details", CommonParams.BillingDetails),
        ("metadata", Param.Metadata),
        ("card", Param.Hash(("exp_month", Param.Integer), ("exp_year", Param.Integer))),
        ("allow_redisplay", Param.Enum("always", "limited", "unspecified")));

    private static readonly ParamSchema s_list = ParamSchema.List.With(("customer", Param.String), ("type", Param.Enum("card", "sepa_debit")));

    public void Map(StripeApi api)
    {
        api.Post("/payment_methods", s_create, request => Create(request.Params).ToJson());
        api.Get("/payment_methods", s_list, request => List(request.Params, request.Params.String("customer")));
        api.Get("/payment_methods/{id}", ParamSchema.None, request => Resolve(request.Id, "id").ToJson());
        api.Post("/payment_methods/{id}", s_update, Update);
        api.Post("/payment_methods/{id}/attach", ParamSchema.Of(("customer", Param.String.Required)), Attach);
        api.Post("/payment_methods/{id}/detach", ParamSchema.None, Detach);
        api.Get("/customers/{id}/payment_methods", ParamSchema.List.With(("type", Param.Enum("card", "sepa_debit"))), request =>
        {
            var customer = state.Store.Get<CustomerRecord>(request.Id, "customer");
            return List(request.Params, customer.Id);
        });
    }

    /// <summary>An existing PaymentMethod, or a fresh one for each use of a shortcut, as Stripe does.</summary>
    public PaymentMethodRecord Resolve(string id, string param)
    {
        if (state.Store.Find<PaymentMethodRecord>(id) is { } existing)
        {
            return existing;
        }

        var card = TestCards.ForShortcut(id) ?? throw StripeApiException.NotFound("PaymentMethod", id, param);
        return NewCard(card, expiry: null);
    }

    /// <summary>Card numbers are accepted from any caller: the emulator only ever sees test numbers.</summary>
    public PaymentMethodRecord Create(Params p, Func<string, string, string, StripeApiException>? cardError = null)
    {
        cardError ??= (message, code, param) => new StripeApiException(402, "card_error", message, code, param);
        PaymentMethodRecord paymentMethod;
        if (p.String("type") == "sepa_debit")
        {
            var iban = (p.Nested("sepa_debit").String("iban") ?? "").Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            if (iban.Length is < 15 or > 34 || !iban[..2].All(char.IsAsciiLetter) || !iban[2..].All(char.IsAsciiLetterOrDigit))
            {
                throw StripeApiException.InvalidRequest("The IBAN you provided appears to be invalid.", "sepa_debit[iban]", "invalid_bank_account_iban");
            }

            paymentMethod = new PaymentMethodRecord { Id = StripeIds.New("pm"), Created = state.Now, Type = "sepa_debit", Iban = iban };
            state.Store.Add(paymentMethod);
        }
        else
        {
            paymentMethod = CreateCard(p.Nested("card"), cardError);
        }

        paymentMethod.BillingDetails = CommonParams.BillingDetailsJson(p.Node("billing_details"));
        paymentMethod.ApplyMetadata(p);
        return paymentMethod;
    }

    private PaymentMethodRecord CreateCard(Params card, Func<string, string, string, StripeApiException> cardError)
    {
        if (card.String("token") is { } token)
        {
            var tokenCard = TestCards.ForShortcut(token) ?? throw StripeApiException.NotFound("token", token, "card[token]");
            return NewCard(tokenCard, expiry: null);
        }

        var number = (card.String("number") ?? "").Replace(" ", "", StringComparison.Ordinal);
        var month = (int)(card.Long("exp_month") ?? 0);
        var year = (int)(card.Long("exp_year") ?? 0);
        year = year is > 0 and < 100 ? 2000 + year : year;
        var cvc = card.String("cvc") ?? "";
        var now = state.Time.GetUtcNow();
        if (!TestCards.PassesLuhn(number))
        {
            throw cardError("Your card number is incorrect.", "incorrect_number", "number");
        }

        if (month is < 1 or > 12)
        {
            throw cardError("Your card's expiration month is invalid.", "invalid_expiry_month", "exp_month");
        }

        if (year < now.Year || (year == now.Year && month < now.Month))
        {
            throw cardError("Your card has expired.", "expired_card", "exp_year");
        }

        if (card.Has("cvc") && (cvc.Length is < 3 or > 4 || !cvc.All(char.IsAsciiDigit)))
        {
            throw cardError("Your card's security code is invalid.", "invalid_cvc", "cvc");
        }

        return NewCard(TestCards.ForNumber(number), (month, year));
    }

    private PaymentMethodRecord NewCard(TestCard card, (int Month, int Year)? expiry)
    {
        var defaultExpiry = state.Time.GetUtcNow().AddYears(1);
        var paymentMethod = new PaymentMethodRecord
        {
            Id = StripeIds.New("pm"),
            Created = state.Now,
            Type = "card",
            Card = card,
            ExpMonth = expiry?.Month ?? defaultExpiry.Month,
            ExpYear = expiry?.Year ?? defaultExpiry.Year,
        };
        state.Store.Add(paymentMethod);
        return paymentMethod;
    }

    private JsonObject Update(ApiRequest request)
    {
        var paymentMethod = state.Store.Get<PaymentMethodRecord>(request.Id, "PaymentMethod");
        var p = request.Params;
        paymentMethod.ApplyMetadata(p);
        if (p.Hash("billing_details") is { } details)
        {
            var merged = paymentMethod.BillingDetails.DeepClone().AsObject();
            foreach (var (key, value) in details)
            {
                merged[key] = key == "address" ? CommonParams.AddressJson(value) : value?.DeepClone();
            }

            paymentMethod.BillingDetails = merged;
        }

        events.Publish("payment_method.updated", paymentMethod.ToJson(), request.Call);
        return paymentMethod.ToJson();
    }

    private JsonObject Attach(ApiRequest request)
    {
        var customerId = request.Params.String("customer")!;
        var customer = state.Store.Get<CustomerRecord>(customerId, "customer", "customer");
        var paymentMethod = Resolve(request.Id, "payment_method");
        if (paymentMethod.CustomerId is { } other && other != customer.Id)
        {
            throw StripeApiException.InvalidRequest(
                "The payment method you provided has already been attached to a customer.", "payment_method", "payment_method_unexpected_state");
        }

        paymentMethod.CustomerId = customer.Id;
        events.Publish("payment_method.attached", paymentMethod.ToJson(), request.Call);
        return paymentMethod.ToJson();
    }

    private JsonObject Detach(ApiRequest request)
    {
        var paymentMethod = state.Store.Get<PaymentMethodRecord>(request.Id, "PaymentMethod");
        if (paymentMethod.CustomerId is null)
        {
            throw StripeApiException.InvalidRequest(
                "The payment method you provided is not attached to a customer so detachment is impossible.", null, "payment_method_unexpected_state");
        }

        var previous = new JsonObject { ["customer"] = paymentMethod.CustomerId };
        paymentMethod.CustomerId = null;
        events.Publish("payment_method.detached", paymentMethod.ToJson(), request.Call, previous);
        return paymentMethod.ToJson();
    }

    private JsonObject List(Params p, string? customerId)
    {
        var type = p.String("type");
        return ListPages.Render(
            state.Store.NewestFirst<PaymentMethodRecord>(),
            p,
            customerId is null ? "/v1/payment_methods" : $"/v1/customers/{customerId}/payment_methods",
            pm => (customerId is null || pm.CustomerId == customerId) && (type is null || pm.Type == type));
    }
}
