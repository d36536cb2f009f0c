using MailKit.Net.Smtp;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Web.Common;

namespace Shop.Web.Email;

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
