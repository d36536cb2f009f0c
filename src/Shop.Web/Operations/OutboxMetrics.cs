using System.Diagnostics.Metrics;
using Shop.Web.Data;
using Shop.Web.Email;

namespace Shop.Web.Operations;

/// <summary>
/// The outbox's backlog as gauges, read from the database when the metrics are collected (once per export interval), so
/// they show every instance's rows. A meter of its own, from the host's IMeterFactory: its callbacks use this host's
/// services and end with it.
/// </summary>
public sealed class OutboxMetrics
{
    public const string MeterName = "Shop.Outbox";

    public OutboxMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("shop.outbox.backlog", () => Read(scopes, time).Pending, "{email}", "Emails waiting to be sent (pending).");
        meter.CreateObservableGauge("shop.outbox.oldest_due_age", () => Read(scopes, time).OldestDueAge.TotalSeconds, "s",
            "How long the oldest due email has been waiting.");
    }

    // The collector's thread has no synchronization context, and the callback API is synchronous.
    private static OutboxBacklog Read(IServiceScopeFactory scopes, TimeProvider time)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        return OutboxBacklog.ReadAsync(db, time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
    }
}
