using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.Web.Data;

/// <summary>The database answers and has every migration this build knows applied.</summary>
public sealed class DatabaseHealthCheck(ShopDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Reading the migrations history is a round trip to the database: it proves the connection and the schema at once.
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        var data = new Dictionary<string, object> { ["provider"] = db.Database.ProviderName ?? "", ["pendingMigrations"] = pending };
        return pending.Count == 0
            ? HealthCheckResult.Healthy("The database answers and is migrated.", data)
            : HealthCheckResult.Unhealthy($"{pending.Count} migrations are not applied.", data: data);
    }
}
