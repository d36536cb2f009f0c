using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Web.Common;
using Shop.Web.Data;

namespace Shop.Web.Email;

/// <summary>The oldest email that is due has not waited longer than Health:OutboxMaxDueAge.</summary>
public sealed class OutboxHealthCheck(ShopDbContext db, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var backlog = await OutboxBacklog.ReadAsync(db, now, cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["pending"] = backlog.Pending,
            ["due"] = backlog.Due,
            ["oldestDueAgeSeconds"] = Math.Round(backlog.OldestDueAge.TotalSeconds),
            ["maxDueAgeSeconds"] = options.Value.OutboxMaxDueAge.TotalSeconds,
        };
        return backlog.OldestDueAge <= options.Value.OutboxMaxDueAge
            ? HealthCheckResult.Healthy($"{backlog.Due} emails due.", data)
            : HealthCheckResult.Unhealthy($"The oldest due email has waited {backlog.OldestDueAge:g}, longer than Health:OutboxMaxDueAge.", data: data);
    }
}

/// <summary>The outbox's size: read by the health check and by the backlog metrics.</summary>
public sealed record OutboxBacklog(int Pending, int Due, TimeSpan OldestDueAge)
{
    public static async Task<OutboxBacklog> ReadAsync(ShopDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = db.Outbox.Where(m => m.Status == OutboxStatus.Pending);
        var count = await pending.CountAsync(cancellationToken);
        // SQLite cannot aggregate DateTimeOffset: the oldest is read by ordering, which the NextAttemptAt index serves.
        var due = pending.Where(m => m.NextAttemptAt <= now);
        var dueCount = await due.CountAsync(cancellationToken);
        var oldest = await due.OrderBy(m => m.NextAttemptAt).Select(m => (DateTimeOffset?)m.NextAttemptAt).FirstOrDefaultAsync(cancellationToken);
        return new OutboxBacklog(count, dueCount, oldest is null ? TimeSpan.Zero : now - oldest.Value);
    }
}
