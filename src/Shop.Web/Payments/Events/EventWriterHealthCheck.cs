using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Web.BackgroundWork;

namespace Shop.Web.Payments.Events;

/// <summary>The single writer of Stripe events runs and its last pass succeeded: without it every webhook answers 503.</summary>
public sealed class EventWriterHealthCheck(StripeEventWriter writer, WorkerHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = health.Find(StripeEventWriter.WorkerName);
        var data = WorkerHealth.HealthData(status);
        var result = writer.ExecuteTask switch
        {
            null => HealthCheckResult.Unhealthy("The event writer has not started.", data: data),
            { IsCompleted: true } => HealthCheckResult.Unhealthy("The event writer has stopped.", data: data),
            _ when status is { ConsecutiveFailures: > 0 } => HealthCheckResult.Unhealthy($"The event writer is failing: {status.LastError}", data: data),
            _ => HealthCheckResult.Healthy("The event writer is running.", data),
        };
        return Task.FromResult(result);
    }
}
