using System.Diagnostics;
using Shop.Web.Common;
using Shop.Web.Orders;

namespace Shop.Web.Payments.Events;

/// <summary>The event writer's spans and metrics; their names are <see cref="ShopTelemetry"/>'s, their values <see cref="StripeEventNames"/>'.</summary>
public static class StripeEventTelemetry
{
    /// <summary>A batch is its own trace (it serves many requests), linked to the span of each event's arrival.</summary>
    public static Activity? StartBatch(IEnumerable<ActivityContext> receivers, int size)
    {
        if (!ShopTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = receivers.Where(r => r != default).Select(r => new ActivityLink(r)).ToList();
        return ShopTelemetry.Source.StartActivity(ShopTelemetry.BatchCommitSpan, ActivityKind.Internal, parentContext: default, links: links)
            ?.SetTag(ShopTelemetry.BatchSizeTag, size);
    }

    public static Activity? StartApply() => ShopTelemetry.Source.StartActivity(ShopTelemetry.EventApplySpan);

    public static void Applied(Activity? apply, StripeEvent stripeEvent, Order? order, IngestResult result) =>
        apply?.SetTag(ShopTelemetry.EventIdTag, stripeEvent.Id).SetTag(ShopTelemetry.EventTypeTag, stripeEvent.Type)
            .SetTag(ShopTelemetry.PaymentIntentTag, stripeEvent.PaymentIntentId).SetTag(ShopTelemetry.OrderIdTag, order?.PublicId)
            .SetTag(ShopTelemetry.OutcomeTag, StripeEventNames.Outcome(result));

    /// <summary>Counts each event of a committed batch by type, source and outcome, and how long after its creation it committed.</summary>
    public static void Committed(ShopMetrics metrics, IReadOnlyList<PendingEvent> batch, IngestResult[] results, DateTimeOffset committedAt)
    {
        metrics.BatchSize.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var (stripeEvent, source) = (batch[i].Event, batch[i].Source);
            var sourceTag = new KeyValuePair<string, object?>(ShopTelemetry.SourceTag, StripeEventNames.Source(source));
            metrics.EventsReceived.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EventTypeTag, stripeEvent.Type), sourceTag,
                new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, StripeEventNames.Outcome(results[i])));
            if (results[i] != IngestResult.Duplicate)
            {
                metrics.IngestLag.Record((committedAt - stripeEvent.Created).TotalSeconds, sourceTag);
            }
        }
    }
}
