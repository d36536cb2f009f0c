using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>/v1/disputes</c>. The dispute test cards open one as soon as their charge succeeds; evidence whose text is
/// <c>winning_evidence</c> or <c>losing_evidence</c> decides it, as in Stripe's test mode
/// (https://docs.stripe.com/testing#disputes).
/// </summary>
internal sealed class Disputes(StripeState state, Events events)
{
    private static readonly TimeSpan s_timeToRespond = TimeSpan.FromDays(7);

    private static readonly ParamSchema s_update = ParamSchema.Of(
        ("evidence", Param.Hash([.. DisputeRecord.EvidenceFields.Select(field => (field, Param.String)), ("enhanced_evidence", Param.Any)])),
        ("metadata", Param.Metadata),
        ("submit", Param.Boolean));

    public void Map(StripeApi api)
    {
        api.Get("/disputes", ParamSchema.List.With(("charge", Param.String), ("payment_intent", Param.String)), request =>
        {
            var (charge, paymentIntent) = (request.Params.String("charge"), request.Params.String("payment_intent"));
            return ListPages.Render(state.Store.NewestFirst<DisputeRecord>(), request.Params, "/v1/disputes", dispute =>
                (charge is null || dispute.Charge.Id == charge) && (paymentIntent is null || dispute.Charge.PaymentIntent.Id == paymentIntent));
        });
        api.Get("/disputes/{id}", ParamSchema.None, request => Find(request.Id).ToJson());
        api.Post("/disputes/{id}", s_update, Update);
        api.Post("/disputes/{id}/close", ParamSchema.None, request =>
        {
            var dispute = Find(request.Id);
            EnsureOpen(dispute);
            Close(dispute, dispute.Inquiry ? "warning_closed" : "lost", request.Call); // accepting: an inquiry just closes
            return dispute.ToJson();
        });
    }

    /// <summary>After a charge on a dispute test card succeeds: the cardholder disputes it.</summary>
    public void OpenIfTestCardSays(ChargeRecord charge, ApiCall call)
    {
        if (charge.PaymentMethod.Card?.Dispute is not { } kind)
        {
            return;
        }

        var dispute = new DisputeRecord
        {
            Id = StripeIds.New("dp"),
            Created = state.Now,
            Charge = charge,
            Reason = kind.Reason,
            Inquiry = kind.Inquiry,
            Status = kind.Inquiry ? "warning_needs_response" : "needs_response",
            DueBy = (state.Time.GetUtcNow() + s_timeToRespond).ToUnixTimeSeconds(),
        };
        state.Store.Add(dispute);
        charge.Dispute = dispute;
        events.Publish("charge.dispute.created", dispute.ToJson(), call);
        if (!kind.Inquiry)
        {
            events.Publish("charge.dispute.funds_withdrawn", dispute.ToJson(), call);
        }
    }

    private DisputeRecord Find(string id) => state.Store.Get<DisputeRecord>(id, "dispute");

    private JsonObject Update(ApiRequest request)
    {
        var dispute = Find(request.Id);
        EnsureOpen(dispute);
        var p = request.Params;
        var before = dispute.ToJson();
        dispute.ApplyMetadata(p);
        foreach (var (field, value) in p.Hash("evidence") ?? [])
        {
            dispute.Evidence[field] = value?.DeepClone();
        }

        var submit = p.Has("evidence") && p.Bool("submit") != false;
        if (submit)
        {
            dispute.SubmissionCount++;
            dispute.Status = dispute.Inquiry ? "warning_under_review" : "under_review";
        }

        var after = dispute.ToJson();
        events.Publish("charge.dispute.updated", after, request.Call, Events.PreviousAttributes(before, after));
        var texts = dispute.Evidence.Select(pair => pair.Value?.ToString()).ToList();
        if (submit && (texts.Contains("winning_evidence") || texts.Contains("losing_evidence")))
        {
            var won = texts.Contains("winning_evidence");
            Close(dispute, won ? (dispute.Inquiry ? "warning_closed" : "won") : "lost", request.Call);
        }

        return dispute.ToJson();
    }

    private void Close(DisputeRecord dispute, string status, ApiCall call)
    {
        dispute.Status = status;
        events.Publish("charge.dispute.closed", dispute.ToJson(), call);
        if (status == "won")
        {
            events.Publish("charge.dispute.funds_reinstated", dispute.ToJson(), call);
        }
    }

    private static void EnsureOpen(DisputeRecord dispute)
    {
        if (dispute.IsClosed)
        {
            throw StripeApiException.InvalidRequest($"This dispute is already closed (status {dispute.Status}).", null, "dispute_already_closed");
        }
    }
}
