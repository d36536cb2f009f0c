namespace Shop.Web.Payments.Events;

/// <summary>
/// The one spelling of an event's source and result in metrics, spans and logs. The source's name is also stored as
/// an order timeline's Source ("catch_up" in rows already written), so it never changes. Constant strings, since a tag
/// built with ToString() would allocate on every event.
/// </summary>
public static class StripeEventNames
{
    public static string Outcome(IngestResult result) => result switch
    {
        IngestResult.Applied => "applied",
        IngestResult.Stale => "stale",
        IngestResult.Duplicate => "duplicate",
        IngestResult.LivemodeMismatch => "livemode_mismatch",
        _ => "ignored",
    };

    public static string Source(StripeEventSource source) => source switch
    {
        StripeEventSource.Reconciliation => "reconciliation",
        StripeEventSource.CatchUp => "catch_up",
        _ => "webhook",
    };
}
