using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Admin;

/// <summary>What the admin filters the orders by; every field is optional. Dates are whole UTC days, both ends included.</summary>
public sealed class OrderFilter
{
    public OrderStatus? Status { get; set; }

    public DateOnly? From { get; set; }

    public DateOnly? To { get; set; }

    /// <summary>Any part of the customer's email, in any case.</summary>
    public string? Email { get; set; }

    /// <summary>An order's public id or its PaymentIntent id, exactly.</summary>
    public string? Id { get; set; }

    /// <summary>Only orders in this currency (three letters, any case).</summary>
    public string? Currency { get; set; }

    /// <summary>Only orders Stripe has received money for (whatever happened next: refunds, disputes).</summary>
    public bool Paid { get; set; }

    /// <summary>Only orders with money refunded.</summary>
    public bool Refunded { get; set; }

    /// <summary>Only orders with an email the outbox gave up on.</summary>
    public bool FailedEmail { get; set; }
}

/// <summary>The admin's order list: filtered, newest first, one page at a time or all at once for CSV.</summary>
public sealed class AdminOrderSearch(ShopDbContext db)
{
    public const int PageSize = 50;

    public async Task<OrderPage> PageAsync(OrderFilter filter, int page, CancellationToken cancellationToken)
    {
        var query = Filtered(filter);
        var total = await query.CountAsync(cancellationToken);
        var orders = await query.Skip((Math.Max(page, 1) - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        return new OrderPage(orders, Math.Max(page, 1), total);
    }

    /// <summary>The whole filtered list as CSV, written row by row so a long list is never held in memory.</summary>
    public async Task WriteCsvAsync(OrderFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("order,created_at,status,email,name,currency,total,paid,refunded,payment_intent");
        await foreach (var order in Filtered(filter).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var fields = new[]
            {
                order.PublicId,
                order.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                order.Status.ToString(),
                order.CustomerEmail,
                order.CustomerName,
                order.Currency,
                Amount(order.TotalMinorUnits, order.Currency),
                Amount(order.PaidMinorUnits, order.Currency),
                Amount(order.RefundedMinorUnits, order.Currency),
                order.PaymentIntentId ?? "",
            };
            await output.WriteLineAsync(string.Join(",", fields.Select(CsvField)));
        }
    }

    private IQueryable<Order> Filtered(OrderFilter filter)
    {
        var query = db.Orders.AsNoTracking().IgnoreAutoIncludes();
        if (filter.Status is { } status)
        {
            query = query.Where(o => o.Status == status);
        }

        if (filter.From is { } from)
        {
            var start = StartOf(from);
            query = query.Where(o => o.CreatedAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = StartOf(to.AddDays(1));
            query = query.Where(o => o.CreatedAt < end);
        }

        if (!string.IsNullOrWhiteSpace(filter.Currency))
        {
            var currency = Common.Money.Normalize(filter.Currency.Trim());
            query = query.Where(o => o.Currency == currency);
        }

        if (filter.Paid)
        {
            query = query.Where(o => o.PaidMinorUnits > 0);
        }

        if (filter.Refunded)
        {
            query = query.Where(o => o.RefundedMinorUnits > 0);
        }

        if (filter.FailedEmail)
        {
            query = query.Where(o => db.Outbox.Any(m => m.OrderId == o.Id && m.Status == Email.OutboxStatus.Failed));
        }

        if (!string.IsNullOrWhiteSpace(filter.Email))
        {
            var email = filter.Email.Trim().ToLowerInvariant();
            // Translated to SQL lower() on either provider; culture rules do not apply in the database.
#pragma warning disable CA1304, CA1311, CA1862
            query = query.Where(o => o.CustomerEmail.ToLower().Contains(email));
#pragma warning restore CA1304, CA1311, CA1862
        }

        if (!string.IsNullOrWhiteSpace(filter.Id))
        {
            var id = filter.Id.Trim();
            query = query.Where(o => o.PublicId == id || o.PaymentIntentId == id);
        }

        return query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id);
    }

    /// <summary>The first moment of a UTC day: the order list and the overview count whole UTC days.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Minor units as a plain decimal number ("24.00", "3600" for yen) for spreadsheets: no symbol, no grouping.</summary>
    private static string Amount(long minorUnits, string currency)
    {
        var places = Common.Money.DecimalPlaces(currency);
        return places == 0
            ? minorUnits.ToString(CultureInfo.InvariantCulture)
            : (minorUnits / 100m).ToString("0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Quoted where CSV needs it; a field a spreadsheet would run as a formula (a customer named "=HYPERLINK(...)") is
    /// prefixed with an apostrophe, so opening the export cannot run what a customer typed.
    /// </summary>
    private static string CsvField(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}

public sealed record OrderPage(IReadOnlyList<Order> Orders, int Page, int Total)
{
    public int Pages => Math.Max(1, (Total + AdminOrderSearch.PageSize - 1) / AdminOrderSearch.PageSize);
}
