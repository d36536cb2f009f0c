using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Common;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>
/// A worker that reads Stripe (reconciliation, event catch-up), when it runs at all (enabled, Stripe configured), completed a
/// pass within Health:ReconciliationMaxAge, or two of its intervals when those are longer.
/// </summary>
public sealed class StripeWorkerHealthCheck(
    string worker, TimeSpan interval, WorkerHealth health, IOptions<ReconciliationOptions> reconciliation, IOptions<StripeOptions> stripe,
    IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    public static StripeWorkerHealthCheck Create(IServiceProvider services, string worker, Func<ReconciliationOptions, TimeSpan> interval) =>
        ActivatorUtilities.CreateInstance<StripeWorkerHealthCheck>(services, worker,
            interval(services.GetRequiredService<IOptions<ReconciliationOptions>>().Value));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!reconciliation.Value.Enabled || !stripe.Value.IsConfigured)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"The {worker} worker is off (Reconciliation:Enabled is false, or no Stripe keys)."));
        }

        var status = health.Find(worker);
        var data = WorkerHealth.HealthData(status);
        var maxAge = options.Value.ReconciliationMaxAge > 2 * interval ? options.Value.ReconciliationMaxAge : 2 * interval;
        // Before its first pass, the time since it started counts, so a fresh instance is not reported.
        var last = status?.LastSuccessAt ?? status?.StartedAt;
        var age = last is null ? TimeSpan.Zero : time.GetUtcNow() - last.Value;
        var result = age <= maxAge
            ? HealthCheckResult.Healthy($"The {worker} worker ran recently.", data)
            : HealthCheckResult.Unhealthy($"The {worker} worker has not completed a pass for {age:g}.", data: data);
        return Task.FromResult(result);
    }
}

/// <summary>
/// How Stripe last answered reconciliation and catch-up in this process: Unhealthy when it rejected the shop's key (401/403:
/// every pull fails until someone changes the key), Degraded when it did not answer (an outage: webhooks still come).
/// </summary>
public sealed class StripeHealthCheck(StripeAnswers answers, IOptions<StripeOptions> stripe) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!stripe.Value.IsConfigured)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No Stripe keys are configured."));
        }

        var last = answers.Last;
        var data = last.ToDictionary(a => a.Resource, a => (object)new { status = a.Status.ToString(), reason = a.Reason, at = a.At });
        var result = last.FirstOrDefault(a => a.Status == StripeReadStatus.KeyRejected) is { } rejected
            ? HealthCheckResult.Unhealthy($"Stripe rejects the shop's key: {rejected.Reason}", data: data)
            : last.FirstOrDefault(a => a.Status == StripeReadStatus.Unanswered) is { } unanswered
                ? HealthCheckResult.Degraded($"Stripe did not answer the last read: {unanswered.Reason}", data: data)
                : HealthCheckResult.Healthy(last.Count == 0 ? "Stripe has not been read from yet." : "Stripe answered the last reads.", data);
        return Task.FromResult(result);
    }
}
