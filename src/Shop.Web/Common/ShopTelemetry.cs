using System.Diagnostics;

namespace Shop.Web.Common;

/// <summary>
/// The shop's own spans, under the name "Shop", and the span and tag names it and <see cref="ShopMetrics"/> use: one
/// spelling each. The source is static, as .NET's ActivitySource is meant to be: with nobody listening a span costs a null check.
/// The values of an event's source and outcome are Payments/Events/StripeEventNames'.
/// </summary>
public static class ShopTelemetry
{
    public const string Name = "Shop";

    public static readonly ActivitySource Source = new(Name);

    public const string WebhookReceiveSpan = "stripe.webhook receive";
    public const string BatchCommitSpan = "stripe.events commit";
    public const string EventApplySpan = "stripe.event apply";
    public const string EmailSendSpan = "email send";

    public const string EventTypeTag = "stripe.event.type";
    public const string EventIdTag = "stripe.event.id";
    public const string SourceTag = "shop.event.source";
    public const string OutcomeTag = "shop.outcome";
    public const string OrderIdTag = "shop.order.id";
    public const string PaymentIntentTag = "stripe.payment_intent.id";
    public const string EmailKindTag = "shop.email.kind";
    public const string OutboxIdTag = "shop.outbox.id";
    public const string BatchSizeTag = "shop.batch.size";
}
