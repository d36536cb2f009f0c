using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments.Webhooks;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>
/// The API as a safety net for the push: asks Stripe for the PaymentIntent of every order that has waited too long for
/// its webhook (endpoint down past Stripe's retries, a wrong secret, a lost commit) and applies what it finds through the
/// same writer and state machine as a webhook, recorded as "reconciled" on the timeline. Safe on several instances: the
/// synthetic event id is derived from the PaymentIntent's state, so two instances finding the same thing apply it once.
/// </summary>
public sealed class PaymentReconciler(
    IServiceScopeFactory scopes,
    PaymentGateway gateway,
    StripeEventWriter writer,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<PaymentReconciler> logger) : BackgroundService
{
    private static readonly OrderStatus[] s_waiting = [OrderStatus.AwaitingPayment, OrderStatus.Processing, OrderStatus.PaymentFailed];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !gateway.IsConfigured)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, time);
        do
        {
            await ReconcileDueOrdersAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over the orders due for a check. Returns how many were asked about.</summary>
    public async Task<int> ReconcileDueOrdersAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var due = now - settings.After;
        var abandoned = now - settings.GiveUpAfter;

        List<Order> orders;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
            orders = await db.Orders.AsNoTracking()
                .Where(o => s_waiting.Contains(o.Status) && o.PaymentIntentId != null
                    && o.UpdatedAt <= due && o.CreatedAt >= abandoned
                    && (o.LastReconciledAt == null || o.LastReconciledAt <= due))
                .OrderBy(o => o.UpdatedAt)
                .Take(settings.BatchSize)
                .ToListAsync(cancellationToken);
        }

        var pause = TimeSpan.FromSeconds(1.0 / settings.MaxRequestsPerSecond);
        foreach (var order in orders)
        {
            var answer = await gateway.RetrievePaymentIntentAsync(order, cancellationToken);
            if (answer.Failure is { Kind: GatewayFailureKind.RateLimited })
            {
                // Stripe says slow down: leave the rest for the next pass, which comes after a full interval.
                logger.LogWarning("Stripe rate-limited reconciliation; {Remaining} orders wait for the next pass", orders.Count);
                break;
            }

            if (answer.PaymentIntent is { } intent && ToEvent(intent, time.GetUtcNow()) is { } stripeEvent)
            {
                var result = await writer.WriteAsync(stripeEvent, StripeEventSource.Reconciliation, cancellationToken);
                logger.LogInformation("Reconciled order {OrderId}: PaymentIntent {PaymentIntentId} is {Status} ({Result})",
                    order.PublicId, intent.Id, intent.Status, result);
            }

            await MarkReconciledAsync(order.Id, cancellationToken);
            await Task.Delay(pause, time, cancellationToken);
        }

        return orders.Count;
    }

    /// <summary>The event Stripe would have sent for the PaymentIntent's current state, or null when nothing has happened yet.</summary>
    private static StripeEvent? ToEvent(PaymentIntentSummary intent, DateTimeOffset now)
    {
        var type = intent.Status switch
        {
            "succeeded" => "payment_intent.succeeded",
            "processing" => "payment_intent.processing",
            "canceled" => "payment_intent.canceled",
            "requires_payment_method" when intent.FailureCode is not null || intent.FailureMessage is not null => "payment_intent.payment_failed",
            _ => null,
        };

        return type is null ? null : new StripeEvent(
            Id: $"reconciled_{intent.Id}_{intent.Status}_{intent.FailureCode ?? "none"}",
            Type: type,
            Created: now,
            ApiVersion: null,
            PaymentIntentId: intent.Id,
            Amount: intent.Amount,
            Currency: intent.Currency,
            Status: intent.Status,
            AmountRefunded: null,
            FailureMessage: intent.FailureMessage,
            FailureCode: intent.FailureCode);
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
