namespace Shop.Web.Payments.Events;

/// <summary>What the writer did with an event; named in telemetry by <see cref="StripeEventNames.Outcome"/>.</summary>
public enum IngestResult
{
    Applied,
    Stale,
    Ignored,
    Duplicate,

    /// <summary>Of the other mode (live or test) than the shop's key: recorded, not applied.</summary>
    LivemodeMismatch,
}
