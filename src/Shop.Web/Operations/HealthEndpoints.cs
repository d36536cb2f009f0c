using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Web.Admin;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;
using Shop.Web.Security;

namespace Shop.Web.Operations;

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// /health/live (the process answers) and /health/ready (database, event writer, outbox, reconciliation, catch-up, Stripe's last
    /// answers; SMTP as Degraded). None of them calls Stripe: a Stripe outage must not take every instance out of the load
    /// balancer at once; only a key Stripe rejects, which no retry mends, fails readiness. Each check lives with its feature;
    /// which of them gate readiness, and how hard, is decided here.
    /// </summary>
    public static IHostApplicationBuilder AddShopHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SmtpHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<EventWriterHealthCheck>("event-writer", tags: [ReadyTag])
            .AddCheck<OutboxHealthCheck>("outbox", tags: [ReadyTag])
            .Add(new HealthCheckRegistration("reconciliation",
                services => StripeWorkerHealthCheck.Create(services, PaymentReconciler.WorkerName, settings => settings.Interval), HealthStatus.Unhealthy, [ReadyTag]))
            .Add(new HealthCheckRegistration("event-catch-up",
                services => StripeWorkerHealthCheck.Create(services, EventCatchUp.WorkerName, settings => settings.CatchUpInterval), HealthStatus.Unhealthy, [ReadyTag]))
            .AddCheck<StripeHealthCheck>("stripe", tags: [ReadyTag])
            .Add(new HealthCheckRegistration("smtp", services => services.GetRequiredService<SmtpHealthCheck>(), HealthStatus.Degraded, [ReadyTag]));
        return builder;
    }

    /// <summary>Anonymous and outside rate limiting: load balancers and orchestrators probe them without credentials.</summary>
    public static IEndpointRouteBuilder MapShopHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync })
            .AllowAnonymous().DisableRateLimiting();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteJsonAsync })
            .AllowAnonymous().DisableRateLimiting();
        return endpoints;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        // Hosts, error texts and migration names help an attacker as much as an operator: only admins and probes on this machine see them.
        object body = !context.IsFromThisMachine() && !context.User.IsInRole(AdminExtensions.AdminRole)
            ? new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString() }),
            }
            : new
        {
            status = report.Status.ToString(),
            totalMilliseconds = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                milliseconds = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                // An exception's message says what broke; its stack trace is for the logs, not an anonymous endpoint.
                error = e.Value.Exception is { } ex ? $"{ex.GetType().Name}: {ex.GetBaseException().Message}" : null,
                data = e.Value.Data,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, s_json, context.RequestAborted);
    }
}
