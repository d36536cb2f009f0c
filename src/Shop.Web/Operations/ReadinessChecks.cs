using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Payments;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Web.Operations;

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

/// <summary>The single writer of Stripe events runs and its last pass succeeded: without it every webhook answers 503.</summary>
public sealed class EventWriterHealthCheck(StripeEventWriter writer, WorkerHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = health.Find(StripeEventWriter.WorkerName);
        var data = WorkerData(status);
        var result = writer.ExecuteTask switch
        {
            null => HealthCheckResult.Unhealthy("The event writer has not started.", data: data),
            { IsCompleted: true } => HealthCheckResult.Unhealthy("The event writer has stopped.", data: data),
            _ when status is { ConsecutiveFailures: > 0 } => HealthCheckResult.Unhealthy($"The event writer is failing: {status.LastError}", data: data),
            _ => HealthCheckResult.Healthy("The event writer is running.", data),
        };
        return Task.FromResult(result);
    }

    internal static Dictionary<string, object> WorkerData(WorkerStatus? status)
    {
        var data = new Dictionary<string, object>();
        if (status is not null)
        {
            data["startedAt"] = status.StartedAt;
            data["completedPasses"] = status.CompletedPasses;
            data["consecutiveFailures"] = status.ConsecutiveFailures;
            AddIfSet(data, "lastSuccessAt", status.LastSuccessAt);
            AddIfSet(data, "lastFailureAt", status.LastFailureAt);
            AddIfSet(data, "lastError", status.LastError);
            AddIfSet(data, "retryAt", status.RetryAt);
        }

        return data;
    }

    private static void AddIfSet(Dictionary<string, object> data, string key, object? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }
}

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
        var data = EventWriterHealthCheck.WorkerData(status);
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

/// <summary>
/// Whether the SMTP server accepts a connection (and the login): Degraded, not Unhealthy, when it does not, because emails wait
/// in the outbox and the shop still takes orders. The answer is reused for Health:SmtpProbeInterval.
/// </summary>
public sealed class SmtpHealthCheck(IOptions<SmtpOptions> smtpOptions, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var smtp = smtpOptions.Value;
        if (!smtp.IsConfigured)
        {
            return HealthCheckResult.Degraded("Smtp:Host is not configured: emails stay in the outbox.");
        }

        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } last && time.GetUtcNow() - last.At < options.Value.SmtpProbeInterval)
            {
                return last.Result;
            }

            var result = await ProbeAsync(smtp, cancellationToken);
            _last = (result, time.GetUtcNow());
            return result;
        }
        finally
        {
            _probing.Release();
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, object> { ["server"] = $"{smtp.Host}:{smtp.Port}", ["probedAt"] = time.GetUtcNow() };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.SmtpProbeTimeout);
        using var client = new SmtpClient { Timeout = (int)options.Value.SmtpProbeTimeout.TotalMilliseconds };
        try
        {
            await OutboxSender.ConnectAsync(client, smtp, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return HealthCheckResult.Healthy("The SMTP server accepts connections.", data);
        }
        catch (Exception ex) when (DeliveryFailure.Classify(ex, cancellationToken) is not null)
        {
            data["error"] = DeliveryFailure.Describe(ex);
            return HealthCheckResult.Degraded("The SMTP server cannot be reached; emails wait in the outbox.", data: data);
        }
    }

    public void Dispose() => _probing.Dispose();
}
