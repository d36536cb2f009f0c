using Microsoft.EntityFrameworkCore;
using Shop.Web.Cart;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments;

namespace Shop.Web.Checkout;

public enum CheckoutStatus
{
    ReadyToPay,
    EmptyCart,
    GatewayNotConfigured,
    GatewayFailed,
}

public sealed record CheckoutOutcome(CheckoutStatus Status, string? OrderPublicId = null, GatewayFailure? Failure = null);

/// <summary>
/// Turns the visitor's cart into an order and makes sure it has a PaymentIntent for exactly its amount.
/// The order is committed before Stripe is called, so a gateway failure leaves a retriable order and never a charge without one.
/// </summary>
public sealed class CheckoutService(
    ShopDbContext db, CartService carts, PaymentGateway gateway, TimeProvider time, ILogger<CheckoutService> logger)
{
    // Enough for a burst of double clicks on one cart; each round lets one of them through.
    private const int MaxConcurrencyRetries = 8;

    public async Task<CheckoutOutcome> PlaceOrderAsync(CustomerDetails customer, CancellationToken cancellationToken)
    {
        if (!gateway.IsConfigured)
        {
            return new CheckoutOutcome(CheckoutStatus.GatewayNotConfigured);
        }

        var order = await SaveOrderAsync(customer, cancellationToken);
        if (order is null)
        {
            return new CheckoutOutcome(CheckoutStatus.EmptyCart);
        }

        var failure = await EnsurePaymentIntentAsync(order, cancellationToken);
        return failure is null
            ? new CheckoutOutcome(CheckoutStatus.ReadyToPay, order.PublicId)
            : new CheckoutOutcome(CheckoutStatus.GatewayFailed, order.PublicId, failure);
    }

    /// <summary>Creates the cart's order, or revises its open one. Two submits of one cart at once resolve to one order.</summary>
    private async Task<Order?> SaveOrderAsync(CustomerDetails customer, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var cart = await carts.FindAsync(cancellationToken);
            if (cart is null || cart.IsEmpty)
            {
                return null;
            }

            var now = time.GetUtcNow();
            var currency = cart.Items[0].Product.Currency;
            var lines = cart.Items
                .OrderBy(i => i.Product.Name)
                .Select(i => new OrderLine
                {
                    ProductId = i.ProductId,
                    ProductName = i.Product.Name,
                    UnitPriceMinorUnits = i.Product.PriceMinorUnits,
                    Currency = i.Product.Currency,
                    Quantity = i.Quantity,
                })
                .ToList();

            var order = cart.OpenOrderId is { } openId
                ? await db.Orders.FirstOrDefaultAsync(o => o.Id == openId, cancellationToken)
                : null;
            if (order is { IsOpenForPayment: true } && order.Currency == currency)
            {
                order.Revise(customer, lines, now);
            }
            else
            {
                order = Order.Place(customer, lines, currency, now);
                db.Orders.Add(order);
            }

            try
            {
                // The cart's version guards the link to its order: a concurrent checkout of the same cart fails here and retries.
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                cart.Touch(now);
                await db.SaveChangesAsync(cancellationToken);
                cart.OpenOrderId = order.Id;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return order;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                logger.LogInformation("Cart changed during checkout; retrying (attempt {Attempt})", attempt);
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<GatewayFailure?> EnsurePaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (order.PaymentIntentId is null)
            {
                var created = await gateway.CreatePaymentIntentAsync(order, cancellationToken);
                if (created.PaymentIntent is not { } intent)
                {
                    return created.Failure;
                }

                order.AttachPaymentIntent(intent.Id, intent.ClientSecret, intent.Amount, time.GetUtcNow());
                logger.LogInformation("Order {OrderId} has PaymentIntent {PaymentIntentId} for {Amount}", order.PublicId, intent.Id, order.Total);
            }
            else if (order.PaymentIntentAmountIsStale)
            {
                var revision = order.NextPaymentIntentRevision();
                var updated = await gateway.UpdatePaymentIntentAmountAsync(order, revision, cancellationToken);
                if (updated.PaymentIntent is not { } intent)
                {
                    return updated.Failure;
                }

                order.RecordPaymentIntentAmount(revision, intent.Amount, time.GetUtcNow());
                logger.LogInformation("Order {OrderId} PaymentIntent {PaymentIntentId} amount updated to {Amount}", order.PublicId, intent.Id, order.Total);
            }
            else
            {
                return null;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                // A concurrent submit of the same order saved first. Look again: the idempotency keys mean a repeated
                // call to Stripe returns the PaymentIntent already made rather than another one.
                logger.LogInformation("Order {OrderId} changed concurrently; checking its PaymentIntent again", order.PublicId);
                await db.Entry(order).ReloadAsync(cancellationToken);
            }
        }
    }
}
