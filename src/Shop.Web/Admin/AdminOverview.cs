using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Web.Common;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Web.Admin;

/// <summary>One currency's sales over the overview's window, by the UTC day the orders were placed.</summary>
/// <param name="DailyPaid">What Stripe received for each day's orders, oldest day first, today last.</param>
public sealed record CurrencySales(string Currency, IReadOnlyList<long> DailyPaid, long RefundedToday, long RefundedInWindow)
{
    public Money PaidToday => new(DailyPaid[^1], Currency);

    public Money PaidInWindow => new(DailyPaid.Sum(), Currency);

    public Money Refunds(bool today) => new(today ? RefundedToday : RefundedInWindow, Currency);
}

/// <summary>A health check as the overview shows it.</summary>
public sealed record HealthLine(string Name, HealthStatus Status, string? Description);

public sealed record Overview(
    DateOnly Today,
    DateOnly FirstDay,
    IReadOnlyList<CurrencySales> Sales,
    IReadOnlyList<OpenDispute> OpenDisputes,
    int OrdersNeedingReview,
    int FailedEmails,
    IReadOnlyList<HealthLine> Health);

/// <summary>
/// The admin's landing page figures. Days are UTC days, like the order list's date filters, so each figure's link
/// lists exactly the orders it counts. Money is counted by the day the order was placed, per currency.
/// </summary>
public sealed class AdminOverview(ShopDbContext db, AdminDisputes disputes, HealthCheckService health, TimeProvider time)
{
    public const int Days = 30;

    private static readonly HashSet<string> s_healthChecks = new(StringComparer.Ordinal) { "event-writer", "reconciliation", "outbox" };

    public async Task<Overview> ReadAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var firstDay = today.AddDays(1 - Days);
        var sales = await SalesAsync(firstDay, today, cancellationToken);
        var open = await disputes.OpenAsync(cancellationToken);
        var needingReview = await db.Orders.CountAsync(o => o.Status == OrderStatus.NeedsReview, cancellationToken);
        var failedEmails = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Failed, cancellationToken);
        var report = await health.CheckHealthAsync(check => s_healthChecks.Contains(check.Name), cancellationToken);
        var lines = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new HealthLine(e.Key, e.Value.Status, e.Value.Description)).ToList();
        return new Overview(today, firstDay, sales, open, needingReview, failedEmails, lines);
    }

    /// <summary>
    /// One query for the whole window. SQLite keeps DateTimeOffset as binary ticks, so grouping by day in SQL would need
    /// a query per provider; four columns of the window's paid or refunded orders are summed here instead.
    /// </summary>
    private async Task<IReadOnlyList<CurrencySales>> SalesAsync(DateOnly firstDay, DateOnly today, CancellationToken cancellationToken)
    {
        var start = AdminOrderSearch.StartOf(firstDay);
        var rows = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.CreatedAt >= start && (o.PaidMinorUnits > 0 || o.RefundedMinorUnits > 0))
            .Select(o => new { o.CreatedAt, o.Currency, o.PaidMinorUnits, o.RefundedMinorUnits })
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(currency =>
            {
                var daily = new long[Days];
                long refundedToday = 0, refunded = 0;
                foreach (var row in currency)
                {
                    var day = DateOnly.FromDateTime(row.CreatedAt.UtcDateTime).DayNumber - firstDay.DayNumber;
                    if (day is < 0 or >= Days)
                    {
                        continue; // placed after "today" by another instance's clock
                    }

                    daily[day] += row.PaidMinorUnits;
                    refunded += row.RefundedMinorUnits;
                    refundedToday += day == Days - 1 ? row.RefundedMinorUnits : 0;
                }

                return new CurrencySales(currency.Key, daily, refundedToday, refunded);
            })
            .ToList();
    }
}
