namespace Shop.Web.Payments.Events;

/// <summary>
/// The names an event's source and result go by in metrics, spans, logs and order timelines: one spelling each. Constant
/// strings, since a tag built with ToString() would allocate on every event.
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
