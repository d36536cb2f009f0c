using System.Globalization;
using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>/v1/refunds</c>: create, retrieve, update, cancel and list. Card refunds succeed at once, except on the
/// pending-refund test card, whose refunds stay pending for <see cref="StripeEmulatorOptions.ProcessingDelay"/>.
/// </summary>
internal sealed class Refunds(StripeState state, Events events, Charges charges)
{
    private static readonly ParamSchema s_create = ParamSchema.Of(
        ("amount", Param.Integer), ("charge", Param.String), ("payment_intent", Param.String), ("metadata", Param.Metadata),
        ("reason", Param.Enum("duplicate", "fraudulent", "requested_by_customer")), ("instructions_email", Param.String),
        ("refund_application_fee", Param.Boolean), ("reverse_transfer", Param.Boolean), ("customer", Param.String), ("currency", Param.String),
        ("origin", Param.Enum("customer_balance")));

    public void Map(StripeApi api)
    {
        api.Post("/refunds", s_create, Create);
        api.Get("/refunds", ParamSchema.List.With(("charge", Param.String), ("payment_intent", Param.String)), request =>
        {
            var (charge, paymentIntent) = (request.Params.String("charge"), request.Params.String("payment_intent"));
            return ListPages.Render(state.Store.NewestFirst<RefundRecord>(), request.Params, "/v1/refunds", refund =>
                (charge is null || refund.Charge.Id == charge) && (paymentIntent is null || refund.Charge.PaymentIntent.Id == paymentIntent));
        });
        api.Get("/refunds/{id}", ParamSchema.None, request => Find(request.Id).ToJson());
        api.Post("/refunds/{id}", ParamSchema.Of(("metadata", Param.Metadata)), request =>
        {
            var refund = Find(request.Id);
            var before = refund.ToJson();
            refund.ApplyMetadata(request.Params);
            Publish(refund, before, request.Call);
            return refund.ToJson();
        });
        api.Post("/refunds/{id}/cancel", ParamSchema.None, request =>
        {
            var refund = Find(request.Id);
            if (refund.Status is not ("pending" or "requires_action"))
            {
                throw StripeApiException.InvalidRequest(
                    $"Refund {refund.Id} cannot be canceled because it has a status of {refund.Status}. Only pending refunds can be canceled.", null, "refund_unexpected_state");
            }

            var before = refund.ToJson();
            refund.Status = "canceled";
            Publish(refund, before, request.Call);
            return refund.ToJson();
        });
    }

    private RefundRecord Find(string id) => state.Store.Get<RefundRecord>(id, "refund");

    private JsonObject Create(ApiRequest request)
    {
        var p = request.Params;
        ChargeRecord charge;
        if (p.String("payment_intent") is { } intentId)
        {
            var intent = state.Store.Get<PaymentIntentRecord>(intentId, "payment_intent", "payment_intent");
            charge = intent.LatestCharge is { Succeeded: true } succeeded
                ? succeeded
                : throw StripeApiException.InvalidRequest("This PaymentIntent does not have a successful charge to refund.", "payment_intent");
        }
        else if (p.String("charge") is { } chargeId)
        {
            charge = charges.Find(chargeId, "charge");
        }
        else
        {
            throw StripeApiException.InvalidRequest("One of the following params should be provided for this request: payment_intent or charge.", "payment_intent", "parameter_missing");
        }

        if (charge.Dispute is { Inquiry: false })
        {
            throw StripeApiException.InvalidRequest($"Charge {charge.Id} has been charged back; cannot issue a refund.", "charge", "charge_disputed");
        }

        var remaining = charge.AmountCaptured - charge.AmountRefunded + charge.AmountReleased;
        if (!charge.Succeeded || remaining <= 0)
        {
            throw StripeApiException.InvalidRequest(
                charge.Succeeded ? $"Charge {charge.Id} has already been refunded." : $"Charge {charge.Id} has not succeeded and cannot be refunded.",
                "charge",
                charge.Succeeded ? "charge_already_refunded" : "charge_not_refundable");
        }

        var amount = p.Long("amount") ?? remaining;
        if (amount <= 0)
        {
            throw StripeApiException.InvalidRequest("Invalid positive integer", "amount");
        }

        if (amount > remaining)
        {
            throw StripeApiException.InvalidRequest(
                $"Refund amount ({Money(amount, charge)}) is greater than unrefunded amount on charge ({Money(remaining, charge)})", "amount", "amount_too_large");
        }

        var pending = charge.PaymentMethod.Card?.Outcome == CardOutcome.RefundsPending;
        var refund = new RefundRecord
        {
            Id = StripeIds.New("re"),
            Created = state.Now,
            Charge = charge,
            Amount = amount,
            Reason = p.String("reason"),
            Status = pending ? "pending" : "succeeded",
        };
        refund.ApplyMetadata(p);
        var previous = new JsonObject { ["amount_refunded"] = charge.AmountRefunded };
        if (amount == remaining)
        {
            previous["refunded"] = false;
        }

        charge.Refunds.Add(refund);
        state.Store.Add(refund);
        events.Publish("charge.refunded", charge.ToJson(), request.Call, previous);
        events.Publish("refund.created", refund.ToJson(), request.Call);
        if (pending)
        {
            state.After(state.Options.ProcessingDelay, () => Settle(refund));
        }

        return refund.ToJson();
    }

    private void Settle(RefundRecord refund)
    {
        if (refund.Status != "pending")
        {
            return;
        }

        var before = refund.ToJson();
        refund.Status = "succeeded";
        Publish(refund, before, ApiCall.Automatic);
    }

    /// <summary>A refund changed: Stripe tells both the refund's and the charge's listeners.</summary>
    private void Publish(RefundRecord refund, JsonObject before, ApiCall call)
    {
        var after = refund.ToJson();
        var previous = Events.PreviousAttributes(before, after);
        events.Publish("charge.refund.updated", after, call, previous);
        events.Publish("refund.updated", after, call, previous);
    }

    private static string Money(long amount, ChargeRecord charge) =>
        (amount / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " " + charge.PaymentIntent.Currency;
}
