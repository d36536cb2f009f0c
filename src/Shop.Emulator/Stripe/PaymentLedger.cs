using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>Who is calling and on behalf of which request, for the events a call emits.</summary>
internal sealed record ApiCall(string? RequestId, string? IdempotencyKey, bool Publishable);

/// <summary>
/// PaymentIntents, charges and refunds, and the state changes Stripe allows on them. Not thread-safe on its
/// own: callers hold <see cref="Gate"/> around a whole request so that an idempotency check and the work it
/// guards happen as one step.
/// </summary>
internal sealed class PaymentLedger(Func<Uri> baseUrl, TimeProvider time, WebhookSender webhooks)
{
    private static readonly string[] _cancelableStatuses =
        ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

    private readonly Dictionary<string, PaymentIntentRecord> _paymentIntents = new(StringComparer.Ordinal);
    private readonly List<PaymentIntentRecord> _paymentIntentsInOrder = [];
    private readonly Dictionary<string, PaymentMethodRecord> _paymentMethods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChargeRecord> _charges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefundRecord> _refunds = new(StringComparer.Ordinal);

    public Lock Gate { get; } = new();

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public JsonObject CreatePaymentIntent(FormParameters p, ApiCall call)
    {
        p.AllowOnly("amount", "currency", "automatic_payment_methods", "payment_method_types", "metadata", "receipt_email",
            "description", "payment_method", "confirm", "return_url", "expand");
        CheckExpand(p);
        var amount = p.GetLong("amount") ?? throw StripeApiException.InvalidRequest("Missing required param: amount.", "amount", "parameter_missing");
        var currency = ValidCurrency(p.Require("currency"));
        ValidateAmount(amount, currency);
        var types = p.GetList("payment_method_types");
        if (types.Any(type => type != "card"))
        {
            throw StripeApiException.InvalidRequest("The Stripe emulator supports only the payment method type card.", "payment_method_types", "payment_method_type_invalid");
        }

        var id = StripeIds.New("pi");
        var intent = new PaymentIntentRecord
        {
            Id = id,
            ClientSecret = StripeIds.ClientSecret(id),
            Created = Now,
            Amount = amount,
            Currency = currency,
            AutomaticPaymentMethods = p.GetBool("automatic_payment_methods[enabled]") ?? false,
            ReceiptEmail = p.Get("receipt_email"),
            Description = p.Get("description"),
        };
        ApplyMetadata(intent.Metadata, p);
        var paymentMethod = p.Get("payment_method") is { Length: > 0 } pmId ? ResolvePaymentMethod(pmId) : null;
        if (paymentMethod is not null)
        {
            intent.PaymentMethodId = paymentMethod.Id;
            intent.Status = "requires_confirmation";
        }

        _paymentIntents.Add(id, intent);
        _paymentIntentsInOrder.Add(intent);
        webhooks.Publish("payment_intent.created", intent.ToJson(), call.RequestId, call.IdempotencyKey);

        if (p.GetBool("confirm") == true)
        {
            intent.ReturnUrl = p.Get("return_url");
            Charge(intent, paymentMethod ?? throw MissingPaymentMethod(), call);
        }

        return Render(intent, p, call);
    }

    public JsonObject RetrievePaymentIntent(string id, FormParameters p, ApiCall call)
    {
        p.AllowOnly("expand", "client_secret");
        CheckExpand(p);
        return Render(FindForCaller(id, p, call), p, call);
    }

    public JsonObject ListPaymentIntents(FormParameters p)
    {
        p.AllowOnly("limit", "starting_after");
        var limit = (int)Math.Clamp(p.GetLong("limit") ?? 10, 1, 100);
        IEnumerable<PaymentIntentRecord> newestFirst = Enumerable.Reverse(_paymentIntentsInOrder);
        if (p.Get("starting_after") is { } after)
        {
            _ = FindPaymentIntent(after, "starting_after");
            newestFirst = newestFirst.SkipWhile(intent => intent.Id != after).Skip(1);
        }

        var page = newestFirst.Take(limit + 1).ToList();
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page.Take(limit).Select(intent => (JsonNode)intent.ToJson())]),
            ["has_more"] = page.Count > limit,
            ["url"] = "/v1/payment_intents",
        };
    }

    public JsonObject UpdatePaymentIntent(string id, FormParameters p, ApiCall call)
    {
        p.AllowOnly("amount", "currency", "metadata", "receipt_email", "description", "payment_method", "expand");
        CheckExpand(p);
        var intent = FindPaymentIntent(id);
        if (intent.Status is "succeeded" or "canceled")
        {
            throw StripeApiException.UnexpectedState(
                $"This PaymentIntent could not be updated because it has a status of {intent.Status}. You may only update a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.");
        }

        var currency = p.Get("currency") is { } newCurrency ? ValidCurrency(newCurrency) : intent.Currency;
        var amount = p.GetLong("amount") ?? intent.Amount;
        ValidateAmount(amount, currency);
        var paymentMethod = p.Get("payment_method") is { Length: > 0 } pmId ? ResolvePaymentMethod(pmId) : null;
        ApplyMetadata(intent.Metadata, p);
        intent.Amount = amount;
        intent.Currency = currency;
        if (p.Get("receipt_email") is { } email)
        {
            intent.ReceiptEmail = email.Length == 0 ? null : email;
        }

        if (p.Get("description") is { } description)
        {
            intent.Description = description.Length == 0 ? null : description;
        }

        if (paymentMethod is not null)
        {
            intent.PaymentMethodId = paymentMethod.Id;
            intent.Status = "requires_confirmation";
        }

        return Render(intent, p, call);
    }

    public JsonObject ConfirmPaymentIntent(string id, FormParameters p, ApiCall call)
    {
        p.AllowOnly("payment_method", "payment_method_data", "return_url", "receipt_email", "expand", "client_secret");
        CheckExpand(p);
        var intent = FindForCaller(id, p, call);
        if (intent.Status is "succeeded")
        {
            throw StripeApiException.UnexpectedState(
                "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.");
        }

        if (intent.Status is "canceled")
        {
            throw StripeApiException.UnexpectedState(
                "You cannot confirm this PaymentIntent because it has a status of canceled. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.");
        }

        PaymentMethodRecord paymentMethod;
        if (p.Get("payment_method") is { Length: > 0 } pmId)
        {
            paymentMethod = ResolvePaymentMethod(pmId);
        }
        else if (p.Has("payment_method_data"))
        {
            paymentMethod = CreateCardPaymentMethod(p, call, intent);
        }
        else
        {
            paymentMethod = intent.PaymentMethodId is { } existing ? _paymentMethods[existing] : throw MissingPaymentMethod();
        }

        if (p.Get("return_url") is { Length: > 0 } returnUrl)
        {
            intent.ReturnUrl = returnUrl;
        }

        if (p.Get("receipt_email") is { Length: > 0 } email)
        {
            intent.ReceiptEmail = email;
        }

        Charge(intent, paymentMethod, call);
        return Render(intent, p, call);
    }

    public JsonObject CancelPaymentIntent(string id, FormParameters p, ApiCall call)
    {
        p.AllowOnly("cancellation_reason", "expand");
        CheckExpand(p);
        var intent = FindPaymentIntent(id);
        if (!_cancelableStatuses.Contains(intent.Status))
        {
            throw StripeApiException.UnexpectedState(
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", _cancelableStatuses)}.");
        }

        var reason = p.Get("cancellation_reason");
        if (reason is not null and not ("duplicate" or "fraudulent" or "requested_by_customer" or "abandoned"))
        {
            throw StripeApiException.InvalidRequest(
                $"Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned", "cancellation_reason");
        }

        intent.Status = "canceled";
        intent.CanceledAt = Now;
        intent.CancellationReason = reason;
        intent.NextAction = null;
        webhooks.Publish("payment_intent.canceled", intent.ToJson(), call.RequestId, call.IdempotencyKey);
        return Render(intent, p, call);
    }

    public JsonObject CreateRefund(FormParameters p, ApiCall call)
    {
        p.AllowOnly("payment_intent", "charge", "amount", "reason", "metadata", "expand");
        CheckExpand(p);
        ChargeRecord charge;
        if (p.Get("payment_intent") is { Length: > 0 } intentId)
        {
            var intent = FindPaymentIntent(intentId, "payment_intent");
            charge = intent.LatestChargeId is { } chargeId && _charges[chargeId] is { Succeeded: true } succeeded
                ? succeeded
                : throw StripeApiException.InvalidRequest("This PaymentIntent does not have a successful charge to refund.", "payment_intent");
        }
        else if (p.Get("charge") is { Length: > 0 } chargeId)
        {
            charge = _charges.GetValueOrDefault(chargeId) ?? throw StripeApiException.NotFound("charge", chargeId, "charge");
        }
        else
        {
            throw StripeApiException.InvalidRequest("One of the following params should be provided for this request: payment_intent or charge.", "payment_intent", "parameter_missing");
        }

        var remaining = charge.Amount - charge.AmountRefunded;
        if (!charge.Succeeded || remaining == 0)
        {
            throw StripeApiException.InvalidRequest(
                charge.Succeeded ? $"Charge {charge.Id} has already been refunded." : $"Charge {charge.Id} has not succeeded and cannot be refunded.",
                "charge",
                charge.Succeeded ? "charge_already_refunded" : "charge_not_refundable");
        }

        var amount = p.GetLong("amount") ?? remaining;
        if (amount <= 0)
        {
            throw StripeApiException.InvalidRequest("Invalid positive integer", "amount");
        }

        if (amount > remaining)
        {
            throw StripeApiException.InvalidRequest(
                $"Refund amount ({Money(amount, charge)}) is greater than unrefunded amount on charge ({Money(remaining, charge)})", "amount", "amount_too_large");
        }

        var reason = p.Get("reason");
        if (reason is not null and not ("duplicate" or "fraudulent" or "requested_by_customer"))
        {
            throw StripeApiException.InvalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "reason");
        }

        var refund = new RefundRecord { Id = StripeIds.New("re"), Created = Now, Charge = charge, Amount = amount, Reason = reason };
        ApplyMetadata(refund.Metadata, p);
        var previous = new JsonObject { ["amount_refunded"] = charge.AmountRefunded };
        if (amount == remaining)
        {
            previous["refunded"] = false;
        }

        charge.Refunds.Add(refund);
        _refunds.Add(refund.Id, refund);
        webhooks.Publish("charge.refunded", charge.ToJson(), call.RequestId, call.IdempotencyKey, previous);
        webhooks.Publish("refund.created", refund.ToJson(), call.RequestId, call.IdempotencyKey);
        return refund.ToJson();
    }

    public JsonObject RetrieveRefund(string id) =>
        (_refunds.GetValueOrDefault(id) ?? throw StripeApiException.NotFound("refund", id)).ToJson();

    public JsonObject RetrieveCharge(string id) =>
        (_charges.GetValueOrDefault(id) ?? throw StripeApiException.NotFound("charge", id)).ToJson();

    public JsonObject RetrievePaymentMethod(string id) =>
        (_paymentMethods.GetValueOrDefault(id) ?? throw StripeApiException.NotFound("payment_method", id)).ToJson();

    public PaymentIntentRecord? FindByClientSecret(string id, string clientSecret) =>
        _paymentIntents.GetValueOrDefault(id) is { } intent && intent.ClientSecret == clientSecret ? intent : null;

    public JsonObject? GetPaymentIntentJson(string id) => _paymentIntents.GetValueOrDefault(id)?.ToJson();

    /// <summary>The customer's answer on the 3-D Secure challenge page.</summary>
    public void CompleteAuthentication(PaymentIntentRecord intent, bool authenticated)
    {
        var paymentMethod = _paymentMethods[intent.PaymentMethodId!];
        if (authenticated)
        {
            Charge(intent, paymentMethod, new ApiCall(null, null, Publishable: true), authenticated: true);
            return;
        }

        intent.Status = "requires_payment_method";
        intent.NextAction = null;
        intent.PaymentMethodId = null;
        intent.LastPaymentError = new JsonObject
        {
            ["code"] = "payment_intent_authentication_failure",
            ["doc_url"] = "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            ["message"] = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
            ["payment_method"] = paymentMethod.ToJson(),
            ["type"] = "invalid_request_error",
        };
        webhooks.Publish("payment_intent.payment_failed", intent.ToJson(), null, null);
    }

    private void Charge(PaymentIntentRecord intent, PaymentMethodRecord paymentMethod, ApiCall call, bool authenticated = false)
    {
        intent.PaymentMethodId = paymentMethod.Id;
        intent.NextAction = null;
        var outcome = paymentMethod.Card.Outcome;
        if (outcome == CardOutcome.RequiresAuthentication && !authenticated)
        {
            intent.Status = "requires_action";
            var challenge = new Uri(baseUrl(), $"3ds/{intent.Id}?client_secret={Uri.EscapeDataString(intent.ClientSecret)}");
            intent.NextAction = new JsonObject
            {
                ["redirect_to_url"] = new JsonObject { ["return_url"] = intent.ReturnUrl, ["url"] = challenge.ToString() },
                ["type"] = "redirect_to_url",
            };
            webhooks.Publish("payment_intent.requires_action", intent.ToJson(), call.RequestId, call.IdempotencyKey);
            return;
        }

        var succeeded = outcome is CardOutcome.Succeeds or CardOutcome.RequiresAuthentication;
        var charge = new ChargeRecord
        {
            Id = StripeIds.New("ch"),
            Created = Now,
            PaymentIntent = intent,
            PaymentMethod = paymentMethod,
            Amount = intent.Amount,
            Succeeded = succeeded,
            ThreeDSecure = authenticated,
        };
        _charges.Add(charge.Id, charge);
        intent.LatestChargeId = charge.Id;

        if (succeeded)
        {
            intent.Status = "succeeded";
            intent.AmountReceived = intent.Amount;
            intent.LastPaymentError = null;
            webhooks.Publish("charge.succeeded", charge.ToJson(), call.RequestId, call.IdempotencyKey);
            webhooks.Publish("payment_intent.succeeded", intent.ToJson(), call.RequestId, call.IdempotencyKey);
            return;
        }

        var (declineCode, message) = outcome switch
        {
            CardOutcome.InsufficientFunds => ("insufficient_funds", "Your card has insufficient funds."),
            CardOutcome.LiveCardInTestMode => ("test_mode_live_card", "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing."),
            _ => ("generic_decline", "Your card was declined."),
        };

        // Stripe detaches a declined card so the customer can try another one on the same PaymentIntent.
        intent.Status = "requires_payment_method";
        intent.PaymentMethodId = null;
        intent.LastPaymentError = new JsonObject
        {
            ["charge"] = charge.Id,
            ["code"] = "card_declined",
            ["decline_code"] = declineCode,
            ["doc_url"] = "https://stripe.com/docs/error-codes/card-declined",
            ["message"] = message,
            ["payment_method"] = paymentMethod.ToJson(),
            ["type"] = "card_error",
        };
        webhooks.Publish("charge.failed", charge.ToJson(), call.RequestId, call.IdempotencyKey);
        webhooks.Publish("payment_intent.payment_failed", intent.ToJson(), call.RequestId, call.IdempotencyKey);
        throw new StripeApiException(402, "card_error", message, "card_declined")
        {
            DeclineCode = declineCode,
            ChargeId = charge.Id,
            PaymentIntent = call.Publishable ? intent.ToPublishableJson() : intent.ToJson(),
            PaymentMethod = paymentMethod.ToJson(),
            SaveForIdempotency = true,
        };
    }

    private PaymentMethodRecord ResolvePaymentMethod(string id)
    {
        if (_paymentMethods.TryGetValue(id, out var existing))
        {
            return existing;
        }

        // Like Stripe, each use of a pm_card_* shortcut creates a fresh PaymentMethod with its own id.
        var card = TestCards.ForShortcut(id) ?? throw StripeApiException.NotFound("PaymentMethod", id, "payment_method");
        var expiry = time.GetUtcNow().AddYears(1);
        return Store(new PaymentMethodRecord { Id = StripeIds.New("pm"), Card = card, ExpMonth = expiry.Month, ExpYear = expiry.Year, Created = Now });
    }

    /// <summary>Card details typed into the Stripe.js stand-in arrive as <c>payment_method_data[card][...]</c>.</summary>
    private PaymentMethodRecord CreateCardPaymentMethod(FormParameters p, ApiCall call, PaymentIntentRecord intent)
    {
        if (!call.Publishable)
        {
            throw StripeApiException.InvalidRequest(
                "Sending credit card numbers directly to the Stripe API is generally unsafe. Use test tokens such as pm_card_visa, or confirm from the browser with a publishable key.",
                "payment_method_data[card][number]");
        }

        if (p.Get("payment_method_data[type]") != "card")
        {
            throw StripeApiException.InvalidRequest("The Stripe emulator supports only payment_method_data[type]=card.", "payment_method_data[type]");
        }

        var number = (p.Get("payment_method_data[card][number]") ?? "").Replace(" ", "", StringComparison.Ordinal);
        var month = int.TryParse(p.Get("payment_method_data[card][exp_month]"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var year = int.TryParse(p.Get("payment_method_data[card][exp_year]"), NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : 0;
        year = year is > 0 and < 100 ? 2000 + year : year;
        var cvc = p.Get("payment_method_data[card][cvc]") ?? "";
        var now = time.GetUtcNow();

        StripeApiException CardError(string message, string code, string param) =>
            new(402, "card_error", message, code, "payment_method_data[card][" + param + "]") { PaymentIntent = intent.ToPublishableJson() };

        if (!TestCards.PassesLuhn(number))
        {
            throw CardError("Your card number is incorrect.", "incorrect_number", "number");
        }

        if (month is < 1 or > 12)
        {
            throw CardError("Your card's expiration month is invalid.", "invalid_expiry_month", "exp_month");
        }

        if (year < now.Year || (year == now.Year && month < now.Month))
        {
            throw CardError("Your card has expired.", "expired_card", "exp_year");
        }

        if (cvc.Length is < 3 or > 4 || !cvc.All(char.IsAsciiDigit))
        {
            throw CardError("Your card's security code is invalid.", "invalid_cvc", "cvc");
        }

        return Store(new PaymentMethodRecord { Id = StripeIds.New("pm"), Card = TestCards.ForNumber(number), ExpMonth = month, ExpYear = year, Created = Now });
    }

    private PaymentMethodRecord Store(PaymentMethodRecord paymentMethod)
    {
        _paymentMethods.Add(paymentMethod.Id, paymentMethod);
        return paymentMethod;
    }

    private PaymentIntentRecord FindPaymentIntent(string id, string param = "id") =>
        _paymentIntents.GetValueOrDefault(id) ?? throw StripeApiException.NotFound("payment_intent", id, param);

    /// <summary>A publishable key may only reach a PaymentIntent whose client secret it presents.</summary>
    private PaymentIntentRecord FindForCaller(string id, FormParameters p, ApiCall call)
    {
        var intent = FindPaymentIntent(id);
        if (call.Publishable)
        {
            var secret = p.Get("client_secret") ?? throw StripeApiException.InvalidRequest(
                "You must provide the client_secret when using a publishable key.", "client_secret", "parameter_missing");
            if (secret != intent.ClientSecret)
            {
                throw StripeApiException.InvalidRequest(
                    "The client_secret provided does not match the client_secret associated with the PaymentIntent.", "client_secret");
            }
        }
        else if (p.Has("client_secret"))
        {
            throw StripeApiException.InvalidRequest("Received unknown parameter: client_secret", "client_secret", "parameter_unknown");
        }

        return intent;
    }

    private JsonObject Render(PaymentIntentRecord intent, FormParameters p, ApiCall call)
    {
        if (call.Publishable)
        {
            return intent.ToPublishableJson();
        }

        var json = intent.ToJson();
        foreach (var path in p.GetList("expand"))
        {
            switch (path)
            {
                case "latest_charge":
                    json["latest_charge"] = intent.LatestChargeId is { } chargeId ? _charges[chargeId].ToJson() : null;
                    break;
                case "payment_method":
                    json["payment_method"] = intent.PaymentMethodId is { } pmId ? _paymentMethods[pmId].ToJson() : null;
                    break;
            }
        }

        return json;
    }

    /// <summary>Checked before any change so that a bad expand cannot fail a request that already charged a card.</summary>
    private static void CheckExpand(FormParameters p)
    {
        foreach (var path in p.GetList("expand"))
        {
            if (path is not ("latest_charge" or "payment_method"))
            {
                throw StripeApiException.InvalidRequest($"This property cannot be expanded ({path}). The Stripe emulator expands latest_charge and payment_method.", "expand");
            }
        }
    }

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
            throw StripeApiException.InvalidRequest(
                $"Amount must be at least 50 {currency} minor units", "amount", "amount_too_small");
        }

        if (amount > 99_999_999)
        {
            throw StripeApiException.InvalidRequest("Amount must be no more than 99,999,999 minor units", "amount", "amount_too_large");
        }
    }

    /// <summary>Stripe's metadata rules: <c>metadata[k]=</c> deletes a key, <c>metadata=</c> clears all, 50 keys of 40/500 characters.</summary>
    private static void ApplyMetadata(Dictionary<string, string> metadata, FormParameters p)
    {
        // Work on a copy so an invalid key leaves the object as it was, as Stripe's all-or-nothing updates do.
        var updated = p.Get("metadata") == "" ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        foreach (var (key, value) in p.GetHash("metadata"))
        {
            if (key.Length > 40 || value.Length > 500)
            {
                throw StripeApiException.InvalidRequest("Metadata keys can be up to 40 characters long and values up to 500 characters long.", $"metadata[{key}]");
            }

            if (value.Length == 0)
            {
                updated.Remove(key);
            }
            else
            {
                updated[key] = value;
            }
        }

        if (updated.Count > 50)
        {
            throw StripeApiException.InvalidRequest("You can specify up to 50 keys in metadata.", "metadata");
        }

        metadata.Clear();
        foreach (var (key, value) in updated)
        {
            metadata[key] = value;
        }
    }

    private static string Money(long amount, ChargeRecord charge) =>
        (amount / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " " + charge.PaymentIntent.Currency;
}
