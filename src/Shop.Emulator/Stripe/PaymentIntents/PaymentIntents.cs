// Over 300 lines on purpose: Stripe's PaymentIntent is the emulator's largest resource (eight endpoints and the charge a
// confirmation makes), and its state machine is one unit.
using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>/v1/payment_intents</c>: create, retrieve, update, confirm, capture, cancel, list and search, and the charge
/// each confirmation makes: at once for cards, after <see cref="StripeEmulatorOptions.ProcessingDelay"/> for SEPA debits.
/// </summary>
internal sealed class PaymentIntents(StripeState state, Events events, PaymentMethods paymentMethods, Customers customers, Disputes disputes)
{
    private static readonly string[] s_cancelableStatuses =
        ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

    private static readonly string[] s_supportedTypes = ["card", "sepa_debit"];

    private static readonly HashSet<string> s_searchFields = new(StringComparer.Ordinal) { "amount", "created", "currency", "customer", "metadata", "status" };

    private static readonly (string, Param)[] s_confirmFields =
    [
        ("capture_method", Param.Enum("automatic", "automatic_async", "manual")),
        ("confirmation_token", Param.String),
        ("error_on_requires_action", Param.Boolean),
        ("mandate", Param.String),
        ("mandate_data", Param.Any),
        ("off_session", Param.Either(Param.Boolean, Param.Enum("one_off", "recurring"))),
        ("payment_method", Param.String),
        ("payment_method_data", Param.Hash(PaymentMethods.DataFields)),
        ("payment_method_options", Param.Any),
        ("payment_method_types", Param.List(Param.String)),
        ("radar_options", Param.Any),
        ("receipt_email", Param.String),
        ("return_url", Param.String),
        ("setup_future_usage", Param.Enum("off_session", "on_session")),
        ("shipping", CommonParams.Shipping),
        ("use_stripe_sdk", Param.Boolean),
        ("amount_details", Param.Any),
        ("excluded_payment_method_types", Param.List(Param.String)),
        ("hooks", Param.Any),
        ("payment_details", Param.Any),
    ];

    private static readonly (string, Param)[] s_dataFields =
    [
        ("amount", Param.Integer),
        ("currency", Param.String),
        ("application_fee_amount", Param.Integer),
        ("customer", Param.String),
        ("description", Param.String),
        ("metadata", Param.Metadata),
        ("on_behalf_of", Param.String),
        ("payment_method_configuration", Param.String),
        ("statement_descriptor", Param.String),
        ("statement_descriptor_suffix", Param.String),
        ("transfer_data", Param.Hash(("amount", Param.Integer), ("destination", Param.String))),
        ("transfer_group", Param.String),
    ];

    private static readonly ParamSchema s_create = ParamSchema.Of(
        [.. s_dataFields, .. s_confirmFields,
            ("automatic_payment_methods", Param.Hash(("enabled", Param.Boolean.Required), ("allow_redirects", Param.Enum("always", "never")))),
            ("confirm", Param.Boolean),
            ("confirmation_method", Param.Enum("automatic", "manual"))])
        .With(("amount", Param.Integer.Required), ("currency", Param.String.Required));

    private static readonly ParamSchema s_update = ParamSchema.Of(
        [.. s_dataFields,
            .. s_confirmFields.Where(f => f.Item1 is "capture_method" or "payment_method" or "payment_method_data" or "payment_method_options"
                or "payment_method_types" or "receipt_email" or "setup_future_usage" or "shipping" or "amount_details" or "excluded_payment_method_types"
                or "hooks" or "payment_details")]);

    private static readonly ParamSchema s_confirm = ParamSchema.Of([.. s_confirmFields, ("client_secret", Param.String)]);

    private static readonly ParamSchema s_capture = ParamSchema.Of(
        ("amount_to_capture", Param.Integer), ("application_fee_amount", Param.Integer), ("final_capture", Param.Boolean), ("metadata", Param.Metadata),
        ("statement_descriptor", Param.String), ("statement_descriptor_suffix", Param.String), ("transfer_data", Param.Any), ("amount_details", Param.Any),
        ("hooks", Param.Any), ("payment_details", Param.Any));

    private static readonly ParamSchema s_cancel = ParamSchema.Of(
        ("cancellation_reason", Param.Enum("duplicate", "fraudulent", "requested_by_customer", "abandoned")));

    public void Map(StripeApi api)
    {
        api.Post("/payment_intents", s_create, Create);
        api.Get("/payment_intents", ParamSchema.List.With(("customer", Param.String)), request =>
        {
            var customer = request.Params.String("customer");
            return ListPages.Render(state.Store.NewestFirst<PaymentIntentRecord>(), request.Params, "/v1/payment_intents",
                intent => customer is null || intent.CustomerId == customer);
        });
        api.Get("/payment_intents/search", SearchQuery.Schema, request =>
            SearchQuery.Render(state.Store.NewestFirst<PaymentIntentRecord>(), request.Params, "/v1/payment_intents/search", s_searchFields, ReadField));
        api.Get("/payment_intents/{id}", ParamSchema.Of(("client_secret", Param.String)), request => Render(FindForCaller(request), request.Call), Keys.SecretOrPublishable);
        api.Post("/payment_intents/{id}", s_update, Update);
        api.Post("/payment_intents/{id}/confirm", s_confirm, Confirm, Keys.SecretOrPublishable);
        api.Post("/payment_intents/{id}/capture", s_capture, Capture);
        api.Post("/payment_intents/{id}/cancel", s_cancel, Cancel);
    }

    public PaymentIntentRecord? FindByClientSecret(string id, string clientSecret) =>
        state.Store.Find<PaymentIntentRecord>(id) is { } intent && intent.ClientSecret == clientSecret ? intent : null;

    /// <summary>The customer's answer on the 3-D Secure challenge page.</summary>
    public void CompleteAuthentication(PaymentIntentRecord intent, bool authenticated)
    {
        if (authenticated)
        {
            Charge(intent, intent.PaymentMethod!, ApiCall.Automatic with { Publishable = true }, authenticated: true);
            return;
        }

        var paymentMethod = intent.PaymentMethod!;
        intent.Status = "requires_payment_method";
        intent.NextAction = null;
        intent.PaymentMethod = null;
        intent.LastPaymentError = new JsonObject
        {
            ["code"] = "payment_intent_authentication_failure",
            ["doc_url"] = "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            ["message"] = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
            ["payment_method"] = paymentMethod.ToJson(),
            ["type"] = "invalid_request_error",
        };
        events.Publish("payment_intent.payment_failed", intent.ToJson(), ApiCall.Automatic);
    }

    private JsonObject Create(ApiRequest request)
    {
        var p = request.Params;
        if (p.Has("automatic_payment_methods") && p.Has("payment_method_types"))
        {
            throw StripeApiException.InvalidRequest(
                "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.", "automatic_payment_methods");
        }

        var id = StripeIds.New("pi");
        var intent = new PaymentIntentRecord
        {
            Id = id,
            ClientSecret = StripeIds.ClientSecret(id),
            Created = state.Now,
            Amount = 0,
            Currency = "usd",
            ConfirmationMethod = p.String("confirmation_method") ?? "automatic",
        };
        var automatic = p.Nested("automatic_payment_methods");
        if (automatic.Bool("enabled") == true)
        {
            intent.AutomaticPaymentMethods = new JsonObject { ["allow_redirects"] = automatic.String("allow_redirects") ?? "always", ["enabled"] = true };
        }

        var paymentMethod = ApplyChanges(intent, p);
        state.Store.Add(intent);
        events.Publish("payment_intent.created", intent.ToJson(), request.Call);
        if (p.Bool("confirm") == true)
        {
            ApplyConfirmOptions(intent, p);
            Charge(intent, paymentMethod ?? throw MissingPaymentMethod(), request.Call);
        }

        return Render(intent, request.Call);
    }

    private JsonObject Update(ApiRequest request)
    {
        var intent = state.Store.Get<PaymentIntentRecord>(request.Id, "payment_intent");
        if (intent.Status is not ("requires_payment_method" or "requires_confirmation" or "requires_action"))
        {
            throw StripeApiException.UnexpectedState(
                $"This PaymentIntent could not be updated because it has a status of {intent.Status}. You may only update a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.");
        }

        ApplyChanges(intent, request.Params);
        return Render(intent, request.Call);
    }

    private JsonObject Confirm(ApiRequest request)
    {
        var intent = FindForCaller(request);
        if (intent.Status is "succeeded" or "canceled" or "processing" or "requires_capture")
        {
            throw StripeApiException.UnexpectedState(intent.Status == "succeeded"
                ? "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
                : $"You cannot confirm this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.");
        }

        var p = request.Params;
        if (p.Has("payment_method_data") && !request.Call.Publishable && p.Nested("payment_method_data").Nested("card").Has("number"))
        {
            throw StripeApiException.InvalidRequest(
                "Sending credit card numbers directly to the Stripe API is generally unsafe. Use test tokens such as pm_card_visa, or confirm from the browser with a publishable key.",
                "payment_method_data[card][number]");
        }

        var paymentMethod = ApplyChanges(intent, p) ?? intent.PaymentMethod ?? throw MissingPaymentMethod();
        ApplyConfirmOptions(intent, p);
        Charge(intent, paymentMethod, request.Call);
        return Render(intent, request.Call);
    }

    private JsonObject Capture(ApiRequest request)
    {
        var intent = state.Store.Get<PaymentIntentRecord>(request.Id, "payment_intent");
        if (intent.Status != "requires_capture")
        {
            throw StripeApiException.UnexpectedState(
                $"This PaymentIntent could not be captured because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.");
        }

        var p = request.Params;
        var amount = p.Long("amount_to_capture") ?? intent.AmountCapturable;
        if (amount <= 0 || amount > intent.AmountCapturable)
        {
            throw StripeApiException.InvalidRequest(
                $"The amount_to_capture must be a positive integer no greater than the amount_capturable ({intent.AmountCapturable}).", "amount_to_capture", "amount_too_large");
        }

        intent.ApplyMetadata(p);
        var charge = intent.LatestCharge!;
        var before = charge.ToJson();
        charge.Captured = true;
        charge.AmountCaptured = amount;
        charge.AmountReleased = intent.AmountCapturable - amount;
        intent.AmountCapturable = 0;
        intent.AmountReceived = amount;
        intent.Status = "succeeded";
        events.Publish("charge.captured", charge.ToJson(), request.Call, Events.PreviousAttributes(before, charge.ToJson()));
        events.Publish("payment_intent.succeeded", intent.ToJson(), request.Call);
        disputes.OpenIfTestCardSays(charge, request.Call);
        return Render(intent, request.Call);
    }

    private JsonObject Cancel(ApiRequest request)
    {
        var intent = state.Store.Get<PaymentIntentRecord>(request.Id, "payment_intent");
        if (!s_cancelableStatuses.Contains(intent.Status))
        {
            throw StripeApiException.UnexpectedState(
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", s_cancelableStatuses)}.");
        }

        if (intent.Status == "requires_capture")
        {
            intent.LatestCharge!.AmountReleased = intent.AmountCapturable;
            intent.AmountCapturable = 0;
        }

        intent.Status = "canceled";
        intent.CanceledAt = state.Now;
        intent.CancellationReason = request.Params.String("cancellation_reason");
        intent.NextAction = null;
        events.Publish("payment_intent.canceled", intent.ToJson(), request.Call);
        return Render(intent, request.Call);
    }

    /// <summary>What create, update and confirm share: amounts, plain data, customer, payment method. Returns a newly given payment method.</summary>
    private PaymentMethodRecord? ApplyChanges(PaymentIntentRecord intent, Params p)
    {
        var currency = p.String("currency") is { } newCurrency ? ValidCurrency(newCurrency) : intent.Currency;
        var amount = p.Long("amount") ?? intent.Amount;
        ValidateAmount(amount, currency);
        var types = p.Has("payment_method_types") ? p.List("payment_method_types") : null;
        if (types?.FirstOrDefault(type => !s_supportedTypes.Contains(type)) is { } unsupported)
        {
            throw StripeApiException.InvalidRequest(
                $"The payment method type \"{unsupported}\" is invalid. The Stripe emulator supports card and sepa_debit.", "payment_method_types", "payment_method_type_invalid");
        }

        var customer = p.String("customer") is { } customerId ? customers.Find(customerId, "customer") : null;
        PaymentMethodRecord? paymentMethod = null;
        if (p.String("payment_method") is { } paymentMethodId)
        {
            paymentMethod = paymentMethods.Resolve(paymentMethodId, "payment_method");
        }
        else if (p.Has("payment_method_data"))
        {
            paymentMethod = paymentMethods.Create(p.Nested("payment_method_data"), (message, code, param) =>
                new StripeApiException(402, "card_error", message, code, "payment_method_data[card][" + param + "]") { PaymentIntent = intent.ToPublishableJson() });
        }

        intent.ApplyMetadata(p);
        intent.Amount = amount;
        intent.Currency = currency;
        if (types is { Count: > 0 })
        {
            intent.PaymentMethodTypes = [.. types];
        }

        if (p.String("capture_method") is { } captureMethod)
        {
            intent.CaptureMethod = captureMethod;
        }

        if (customer is not null)
        {
            intent.CustomerId = customer.Id;
        }

        foreach (var field in PaymentIntentRecord.EchoedFields.Where(p.Has))
        {
            intent.Fields[field] = p.Node(field)?.DeepClone();
        }

        foreach (var (type, options) in p.Hash("payment_method_options") ?? [])
        {
            intent.PaymentMethodOptions[type] = options?.DeepClone();
        }

        if (paymentMethod is not null)
        {
            intent.PaymentMethod = paymentMethod;
            intent.Status = "requires_confirmation";
        }

        return paymentMethod;
    }

    private static void ApplyConfirmOptions(PaymentIntentRecord intent, Params p)
    {
        if (p.String("return_url") is { } returnUrl)
        {
            intent.ReturnUrl = returnUrl;
        }

        intent.OffSession = p.Node("off_session") is JsonValue offSession && !(offSession.TryGetValue<bool>(out var flag) && !flag);
    }

    /// <summary>Charges the payment method; what follows depends on the test card or IBAN.</summary>
    private void Charge(PaymentIntentRecord intent, PaymentMethodRecord paymentMethod, ApiCall call, bool authenticated = false)
    {
        if (!intent.Accepts(paymentMethod.Type))
        {
            throw StripeApiException.InvalidRequest(
                $"The PaymentMethod provided ({paymentMethod.Type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {string.Join(", ", intent.PaymentMethodTypes)}.",
                "payment_method");
        }

        if (intent.CustomerId is not null && paymentMethod.CustomerId is { } owner && owner != intent.CustomerId)
        {
            throw StripeApiException.InvalidRequest("The provided PaymentMethod belongs to a different Customer.", "payment_method");
        }

        intent.PaymentMethod = paymentMethod;
        intent.NextAction = null;
        var outcome = paymentMethod.Card?.Outcome ?? CardOutcome.Succeeds;
        if (outcome == CardOutcome.RequiresAuthentication && !authenticated)
        {
            if (intent.OffSession)
            {
                Decline(intent, paymentMethod, new CardDecline("authentication_required", "authentication_required", "Your card was declined. This transaction requires authentication."), call);
            }

            intent.Status = "requires_action";
            var challenge = new Uri(state.BaseUrl, $"3ds/{intent.Id}?client_secret={Uri.EscapeDataString(intent.ClientSecret)}");
            intent.NextAction = new JsonObject
            {
                ["redirect_to_url"] = new JsonObject { ["return_url"] = intent.ReturnUrl, ["url"] = challenge.ToString() },
                ["type"] = "redirect_to_url",
            };
            events.Publish("payment_intent.requires_action", intent.ToJson(), call);
            return;
        }

        if (outcome == CardOutcome.Declines)
        {
            Decline(intent, paymentMethod, paymentMethod.Card!.Decline!, call);
        }

        var charge = NewCharge(intent, paymentMethod, paymentMethod.Type == "card" ? "succeeded" : "pending", authenticated);
        if (paymentMethod.Type == "sepa_debit")
        {
            // Bank debits settle later: processing now, success or failure after the configured delay.
            intent.Status = "processing";
            events.Publish("charge.pending", charge.ToJson(), call);
            events.Publish("payment_intent.processing", intent.ToJson(), call);
            state.After(state.Options.ProcessingDelay, () => Settle(intent, charge));
            return;
        }

        if (intent.CaptureMethod == "manual")
        {
            intent.Status = "requires_capture";
            intent.AmountCapturable = intent.Amount;
            events.Publish("charge.succeeded", charge.ToJson(), call);
            events.Publish("payment_intent.amount_capturable_updated", intent.ToJson(), call, new JsonObject { ["amount_capturable"] = 0 });
            return;
        }

        Succeed(intent, charge, call);
    }

    private ChargeRecord NewCharge(PaymentIntentRecord intent, PaymentMethodRecord paymentMethod, string status, bool threeDSecure)
    {
        var fields = new JsonObject();
        foreach (var field in new[] { "description", "receipt_email", "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_group" })
        {
            fields[field] = intent.Fields[field]?.DeepClone();
        }

        var charge = new ChargeRecord
        {
            Id = StripeIds.New("ch"),
            Created = state.Now,
            PaymentIntent = intent,
            PaymentMethod = paymentMethod,
            Amount = intent.Amount,
            Status = status,
            ThreeDSecure = threeDSecure,
            Fields = fields,
        };
        foreach (var (key, value) in intent.Metadata)
        {
            charge.Metadata[key] = value;
        }

        state.Store.Add(charge);
        intent.LatestCharge = charge;
        return charge;
    }

    private void Succeed(PaymentIntentRecord intent, ChargeRecord charge, ApiCall call)
    {
        charge.Status = "succeeded";
        charge.Captured = true;
        charge.AmountCaptured = charge.Amount;
        intent.Status = "succeeded";
        intent.AmountReceived = intent.Amount;
        intent.LastPaymentError = null;
        if (intent.Fields["setup_future_usage"] is not null && intent.CustomerId is { } customerId && intent.PaymentMethod!.CustomerId is null)
        {
            intent.PaymentMethod.CustomerId = customerId;
            events.Publish("payment_method.attached", intent.PaymentMethod.ToJson(), call);
        }

        events.Publish("charge.succeeded", charge.ToJson(), call);
        events.Publish("payment_intent.succeeded", intent.ToJson(), call);
        disputes.OpenIfTestCardSays(charge, call);
    }

    private void Settle(PaymentIntentRecord intent, ChargeRecord charge)
    {
        if (intent.Status != "processing" || intent.LatestCharge != charge)
        {
            return;
        }

        if (!charge.PaymentMethod.SettlementFails)
        {
            Succeed(intent, charge, ApiCall.Automatic);
            return;
        }

        var decline = new CardDecline("payment_method_provider_decline", null, "The customer's bank account could not be debited.");
        charge.Status = "failed";
        charge.Decline = decline;
        FailIntent(intent, charge, decline);
        events.Publish("charge.failed", charge.ToJson(), ApiCall.Automatic);
        events.Publish("payment_intent.payment_failed", intent.ToJson(), ApiCall.Automatic);
    }

    /// <summary>A declined card: the charge fails, the intent wants another payment method, and the caller gets a 402 card_error.</summary>
    private void Decline(PaymentIntentRecord intent, PaymentMethodRecord paymentMethod, CardDecline decline, ApiCall call)
    {
        var charge = NewCharge(intent, paymentMethod, "failed", threeDSecure: false);
        charge.Decline = decline;
        FailIntent(intent, charge, decline);
        events.Publish("charge.failed", charge.ToJson(), call);
        events.Publish("payment_intent.payment_failed", intent.ToJson(), call);
        throw new StripeApiException(402, "card_error", decline.Message, decline.Code)
        {
            DeclineCode = decline.DeclineCode,
            ChargeId = charge.Id,
            PaymentIntent = call.Publishable ? intent.ToPublishableJson() : intent.ToJson(),
            PaymentMethod = paymentMethod.ToJson(),
            SaveForIdempotency = true,
        };
    }

    /// <summary>Stripe detaches a failed payment method so the customer can try another one on the same PaymentIntent.</summary>
    private static void FailIntent(PaymentIntentRecord intent, ChargeRecord charge, CardDecline decline)
    {
        var paymentMethod = intent.PaymentMethod ?? charge.PaymentMethod;
        intent.Status = "requires_payment_method";
        intent.PaymentMethod = null;
        intent.NextAction = null;
        intent.LastPaymentError = new JsonObject
        {
            ["charge"] = charge.Id,
            ["code"] = decline.Code,
            ["decline_code"] = decline.DeclineCode,
            ["doc_url"] = "https://stripe.com/docs/error-codes/" + decline.Code.Replace('_', '-'),
            ["message"] = decline.Message,
            ["payment_method"] = paymentMethod.ToJson(),
            ["type"] = "card_error",
        };
    }

    /// <summary>A publishable key may only reach a PaymentIntent whose client secret it presents.</summary>
    private PaymentIntentRecord FindForCaller(ApiRequest request)
    {
        var intent = state.Store.Get<PaymentIntentRecord>(request.Id, "payment_intent");
        var secret = request.Params.String("client_secret");
        if (!request.Call.Publishable)
        {
            return secret is null
                ? intent
                : throw StripeApiException.InvalidRequest("Received unknown parameter: client_secret", "client_secret", "parameter_unknown");
        }

        if (secret is null)
        {
            throw StripeApiException.InvalidRequest("You must provide the client_secret when using a publishable key.", "client_secret", "parameter_missing");
        }

        return secret == intent.ClientSecret
            ? intent
            : throw StripeApiException.InvalidRequest("The client_secret provided does not match the client_secret associated with the PaymentIntent.", "client_secret");
    }

    private static JsonObject Render(PaymentIntentRecord intent, ApiCall call) => call.Publishable ? intent.ToPublishableJson() : intent.ToJson();

    private static string? ReadField(PaymentIntentRecord intent, string field, string? key) => field switch
    {
        "amount" => intent.Amount.ToString(CultureInfo.InvariantCulture),
        "created" => intent.Created.ToString(CultureInfo.InvariantCulture),
        "currency" => intent.Currency,
        "customer" => intent.CustomerId,
        "metadata" => key is null ? null : intent.Metadata.GetValueOrDefault(key),
        _ => intent.Status,
    };

    private static StripeApiException MissingPaymentMethod() =>
        new(400, "invalid_request_error",
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, provide a payment_method, or payment_method_data.",
            "payment_intent_unexpected_state");

    private static string ValidCurrency(string currency) =>
        currency.Length == 3 && currency.All(char.IsAsciiLetter)
            ? currency.ToLowerInvariant()
            : throw StripeApiException.InvalidRequest($"Invalid currency: {currency.ToLowerInvariant()}. Stripe currently supports these currencies: usd, eur, gbp, ...", "currency");

    private static void ValidateAmount(long amount, string currency)
    {
        // Stripe's minimum charge is about 50 cents in most currencies; zero-decimal currencies are not special-cased here.
        if (amount < 50)
        {
            throw StripeApiException.InvalidRequest($"Amount must be at least 50 {currency} minor units", "amount", "amount_too_small");
        }

        if (amount > 99_999_999)
        {
            throw StripeApiException.InvalidRequest("Amount must be no more than 99,999,999 minor units", "amount", "amount_too_large");
        }
    }
}
