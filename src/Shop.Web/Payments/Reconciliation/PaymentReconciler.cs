using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>
/// The API as a safety net for the push: asks Stripe about every order that has waited too long for its webhook
/// (endpoint down past Stripe's retries, a wrong secret, a lost commit) and feeds what it finds (the PaymentIntent, its
/// latest charge with refunds, its disputes) through the same writer as a webhook, recorded as "reconciliation" on the
/// timeline. On several instances one pass runs at a time (a database lock), so Stripe is asked once; and should two
/// still find the same thing, the synthetic event id is derived from the state found, so it is applied once.
/// </summary>
public sealed class PaymentReconciler(
    IServiceScopeFactory scopes,
    StripeFactsReader stripe,
    StripeEventWriter writer,
    DatabaseLocks locks,
    WorkerLoop loop,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<PaymentReconciler> logger) : BackgroundService
{
    private static readonly OrderStatus[] s_waiting = [OrderStatus.AwaitingPayment, OrderStatus.Processing, OrderStatus.PaymentFailed];

    public const string WorkerName = "reconciliation";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !stripe.IsConfigured)
        {
            return;
        }

        await loop.RunEveryAsync(WorkerName, logger, settings.Interval, ct => ReconcileDueOrdersAsync(ct), stoppingToken);
    }

    /// <summary>One pass over the orders due for a check. Returns how many were asked about (0 while another instance runs its pass).</summary>
    public async Task<int> ReconcileDueOrdersAsync(CancellationToken cancellationToken)
    {
        await using var turn = await locks.TryAcquireAsync(WorkerName, cancellationToken);
        if (turn is null)
        {
            return 0;
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var due = now - settings.After;
        var abandoned = now - settings.GiveUpAfter;

        List<Order> orders;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
            orders = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
                .Where(o => s_waiting.Contains(o.Status) && o.PaymentIntentId != null
                    && o.UpdatedAt <= due && o.CreatedAt >= abandoned
                    && (o.LastReconciledAt == null || o.LastReconciledAt <= due))
                // Least recently asked first, never asked before all: an abandoned order that never changes would otherwise
                // be picked again and again (oldest UpdatedAt) and starve new ones. The bool sorts nulls first on both providers.
                .OrderBy(o => o.LastReconciledAt != null).ThenBy(o => o.LastReconciledAt).ThenBy(o => o.UpdatedAt)
                .Take(settings.BatchSize)
                .ToListAsync(cancellationToken);
        }

        var pause = TimeSpan.FromSeconds(1.0 / settings.MaxRequestsPerSecond);
        for (var i = 0; i < orders.Count; i++)
        {
            if (i > 0)
            {
                await Task.Delay(pause, time, cancellationToken);
            }

            var status = await ReconcileAsync(orders[i], cancellationToken);
            if (status is StripeReadStatus.RateLimited or StripeReadStatus.KeyRejected)
            {
                // Every further read would be refused alike.
                logger.LogWarning("Reconciliation stopped ({Status}); {Remaining} orders wait for the next pass", status, orders.Count - i);
                return i;
            }
        }

        return orders.Count;
    }

    /// <summary>Asks Stripe about one order now and applies what it says.</summary>
    public async Task<StripeReadStatus> ReconcileAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.PaymentIntentId is not { } paymentIntentId)
        {
            return StripeReadStatus.Done;
        }

        var (status, stripeEvent) = await stripe.ReadPaymentIntentAsync(paymentIntentId, cancellationToken);
        if (stripeEvent is not null)
        {
            var result = await writer.WriteAsync(stripeEvent, StripeEventSource.Reconciliation, cancellationToken);
            logger.LogInformation("Reconciled order {OrderId} with PaymentIntent {PaymentIntentId}: {Result}", order.PublicId, paymentIntentId, result);
        }

        // Checked only when Stripe answered about this PaymentIntent; otherwise it stays first in line for the next pass.
        if (status is StripeReadStatus.Done or StripeReadStatus.Failed)
        {
            await MarkReconciledAsync(order.Id, cancellationToken);
        }

        return status;
    }

    private async Task MarkReconciledAsync(long orderId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var now = time.GetUtcNow();
        await db.Orders.Where(o => o.Id == orderId)
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.LastReconciledAt, now), cancellationToken);
    }
}
