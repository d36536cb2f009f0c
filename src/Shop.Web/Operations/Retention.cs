using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Email;

namespace Shop.Web.Operations;

/// <summary>The "Retention" section: how long records that only serve deduplication or history are kept.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Stripe redelivers for up to 3 days and its events API lists 30 days back: an event id younger than this
    /// must still be recognised as a duplicate, so no setting may purge it earlier.</summary>
    public static readonly TimeSpan MinimumEventAge = TimeSpan.FromDays(35);

    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Retention:Interval must be between 00:01:00 and 7.00:00:00.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Recorded Stripe events (the dedupe records) received longer ago than this are deleted; at least 35 days.</summary>
    [Range(typeof(TimeSpan), "35.00:00:00", "3650.00:00:00", ErrorMessage = "Retention:EventsAfter must be between 35.00:00:00 and 3650.00:00:00: an event id is never forgotten within Stripe's 30-day retry and listing window.")]
    public TimeSpan EventsAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Sent emails' outbox rows, by when they were sent. Pending and failed ones are kept for operators.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Retention:SentEmailsAfter must be between 1.00:00:00 and 3650.00:00:00.")]
    public TimeSpan SentEmailsAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Carts untouched this long (by then past Shop:CartLifetime, so no visitor can see them any more).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Retention:AbandonedCartsAfter must be between 1.00:00:00 and 3650.00:00:00.")]
    public TimeSpan AbandonedCartsAfter { get; set; } = TimeSpan.FromDays(60);
}

/// <summary>
/// Deletes what has served its purpose: old Stripe event records, sent outbox rows, abandoned carts. Orders, their lines
/// and timelines are never touched. Each kind is one set-based delete, safe to run on several instances at once.
/// </summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, WorkerLoop loop, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<RetentionJob> logger) : BackgroundService
{
    public const string WorkerName = "retention";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        return settings.Enabled
            ? loop.RunEveryAsync(WorkerName, logger, settings.Interval, ct => PurgeAsync(settings, ct), stoppingToken)
            : Task.CompletedTask;
    }

    private async Task PurgeAsync(RetentionOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var now = time.GetUtcNow();

        // Validation already keeps EventsAfter at 35 days or more; the floor here makes sure no path can go below it.
        var eventsBefore = now - TimeSpan.FromTicks(Math.Max(settings.EventsAfter.Ticks, RetentionOptions.MinimumEventAge.Ticks));
        var events = await db.StripeEvents.Where(e => e.ReceivedAt < eventsBefore).ExecuteDeleteAsync(cancellationToken);

        var sentBefore = now - settings.SentEmailsAfter;
        var emails = await db.Outbox.Where(m => m.Status == OutboxStatus.Sent && m.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);

        var touchedBefore = now - settings.AbandonedCartsAfter;
        var carts = await db.Carts.Where(c => c.UpdatedAt < touchedBefore).ExecuteDeleteAsync(cancellationToken);

        if (events + emails + carts > 0)
        {
            logger.LogInformation("Retention deleted {Events} Stripe event records, {Emails} sent emails and {Carts} abandoned carts",
                events, emails, carts);
        }
    }
}

public static class RetentionExtensions
{
    /// <summary>The background job that purges old event records, sent emails and abandoned carts (see <see cref="RetentionJob"/>).</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<RetentionJob>();
        return builder;
    }
}
