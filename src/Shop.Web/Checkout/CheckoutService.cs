using Microsoft.EntityFrameworkCore;
using Shop.Web.Carts;
using Shop.Web.Common;
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
/// Turns the visitor's cart into an order and makes sure it has a PaymentIntent for exactly its amount. A new order is
/// committed before Stripe is called, so a gateway failure leaves a retriable order and never a charge without one.
/// Once the customer has started paying an order, its lines and total never change: a changed cart gets a new order.
/// </summary>
public sealed class CheckoutService(
    ShopDbContext db, CartService carts, PaymentGateway gateway, ShopMetrics metrics, TimeProvider time, ILogger<CheckoutService> logger)
{
    // Enough for a burst of double clicks on one cart, or a payment that moves on while we look; each round sees a fresh copy.
    private const int MaxRounds = 8;

    private static readonly GatewayFailure s_keptChanging = new(GatewayFailureKind.UnexpectedState,
        "Your order changed while we were saving it. Please check your cart and try again.");

    public async Task<CheckoutOutcome> PlaceOrderAsync(Guid? cartId, CustomerDetails customer, CancellationToken cancellationToken)
    {
        var outcome = await PlaceOrderOnceSettledAsync(cartId, customer, cancellationToken);
        metrics.Checkouts.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, outcome.Status switch
        {
            CheckoutStatus.ReadyToPay => "ready_to_pay",
            CheckoutStatus.EmptyCart => "empty_cart",
            CheckoutStatus.GatewayNotConfigured => "gateway_not_configured",
            _ => "gateway_failed",
        }));
        return outcome;
    }

    private async Task<CheckoutOutcome> PlaceOrderOnceSettledAsync(Guid? cartId, CustomerDetails customer, CancellationToken cancellationToken)
    {
        if (!gateway.IsConfigured)
        {
            return new CheckoutOutcome(CheckoutStatus.GatewayNotConfigured);
        }

        for (var round = 1; round <= MaxRounds; round++)
        {
            // The round's reads and the save before Stripe share one connection: one open (and one set of SQLite pragmas)
            // instead of one per command. It is given back before Stripe is called (GiveBackConnectionAsync).
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                var cart = await carts.FindAsync(cartId, cancellationToken);
                if (cart is null || cart.IsEmpty)
                {
                    return new CheckoutOutcome(CheckoutStatus.EmptyCart);
                }

                var draft = OrderDraft.From(cart, customer);
                var outcome = await FindOpenOrderAsync(cart, draft, cancellationToken) switch
                {
                    null => await PlaceNewOrderAsync(cart, draft, cancellationToken),
                    { PaymentIntentId: null } order => await ReviseBeforePaymentIntentAsync(cart, order, draft, cancellationToken),
                    var order when draft.Matches(order) => Ready(order),
                    var order => await ReviseWithPaymentIntentAsync(cart, order, draft, cancellationToken),
                };
                if (outcome is not null)
                {
                    return outcome;
                }

                logger.LogInformation("The cart's order changed at Stripe during checkout; looking again (round {Round})", round);
            }
            catch (DbUpdateConcurrencyException)
            {
                logger.LogInformation("Cart or order saved concurrently during checkout; looking again (round {Round})", round);
            }
            finally
            {
                await GiveBackConnectionAsync();
            }

            db.ChangeTracker.Clear();
        }

        return new CheckoutOutcome(CheckoutStatus.GatewayFailed, null, s_keptChanging);
    }

    private async Task<Order?> FindOpenOrderAsync(Cart cart, OrderDraft draft, CancellationToken cancellationToken)
    {
        // Find: the cart's check for a paid order has usually loaded it already.
        var order = cart.OpenOrderId is { } openId
            ? await db.Orders.FindAsync([openId], cancellationToken)
            : null;
        return order is { IsOpenForPayment: true } && order.Currency == draft.Currency ? order : null;
    }

    private async Task<CheckoutOutcome?> PlaceNewOrderAsync(Cart cart, OrderDraft draft, CancellationToken cancellationToken)
    {
        var order = Order.Place(draft.Customer, draft.Lines, draft.Currency, time.GetUtcNow());
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Two saves, one commit: the cart can point at the order only once the insert has given it its id. The cart's
            // version is checked in the second: a concurrent checkout of the same cart rolls this order back and looks again.
            db.Orders.Add(order);
            await db.SaveChangesAsync(cancellationToken);
            cart.OpenOrderId = order.Id;
            await SaveWithCartAsync(cart, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return await CreatePaymentIntentAsync(order, cancellationToken);
    }

    /// <summary>No PaymentIntent yet (an earlier creation failed or timed out): the order may change freely.</summary>
    private async Task<CheckoutOutcome?> ReviseBeforePaymentIntentAsync(Cart cart, Order order, OrderDraft draft, CancellationToken cancellationToken)
    {
        if (!draft.Matches(order))
        {
            order.Revise(draft.Customer, draft.Lines, time.GetUtcNow());
            await SaveWithCartAsync(cart, cancellationToken);
        }

        return await CreatePaymentIntentAsync(order, cancellationToken);
    }

    /// <summary>
    /// Asks Stripe first: the Payment Element can move the PaymentIntent on (3-D Secure, processing) at any moment,
    /// long before a webhook says so. Stripe gets the new amount before the order does, so the order never shows
    /// lines that Stripe's payment does not cover; if Stripe refuses because the payment started meanwhile, the order stays as it was.
    /// </summary>
    private async Task<CheckoutOutcome?> ReviseWithPaymentIntentAsync(Cart cart, Order order, OrderDraft draft, CancellationToken cancellationToken)
    {
        await GiveBackConnectionAsync();
        var retrieved = await gateway.RetrievePaymentIntentAsync(order, cancellationToken);
        if (retrieved.PaymentIntent is not { } intent)
        {
            return Failed(order, retrieved.Failure!);
        }

        if (!PaymentIntentStatuses.AcceptsChanges(intent.Status))
        {
            return await LetGoOfOrderAsync(cart, order, intent.Status, cancellationToken);
        }

        var emailChanged = order.CustomerEmail != draft.Customer.Email;
        var shippingChanged = !draft.ShipsLike(order);
        order.Revise(draft.Customer, draft.Lines, time.GetUtcNow());
        if (order.PaymentIntentAmountIsStale || emailChanged || shippingChanged)
        {
            var updated = await UpdatePaymentIntentAsync(order, cancellationToken);
            if (updated.Failure is { Kind: GatewayFailureKind.UnexpectedState })
            {
                return null;
            }

            if (updated.PaymentIntent is null)
            {
                return Failed(order, updated.Failure!);
            }
        }

        await SaveWithCartAsync(cart, cancellationToken);
        return Ready(order);
    }

    /// <summary>
    /// The customer has started paying this order (or it was canceled), so it stays exactly as it is and the cart lets
    /// go of it; the next round places a new order. A payment Stripe has taken also takes its items out of the cart, as
    /// the cart page would once the webhook arrives, so they are not paid twice.
    /// </summary>
    private async Task<CheckoutOutcome?> LetGoOfOrderAsync(Cart cart, Order order, string status, CancellationToken cancellationToken)
    {
        if (PaymentIntentStatuses.IsCancelable(status))
        {
            // Nothing paid yet (a 3-D Secure challenge is open): cancel it, so that only the new order can be paid.
            var canceled = await gateway.CancelPaymentIntentAsync(order, cancellationToken);
            if (canceled.Failure is { Kind: GatewayFailureKind.UnexpectedState })
            {
                return null;
            }

            if (canceled.PaymentIntent is null)
            {
                return Failed(order, canceled.Failure!);
            }

            logger.LogInformation("Order {OrderId}: PaymentIntent {PaymentIntentId} canceled, the cart changed during {Status}", order.PublicId, order.PaymentIntentId, status);
        }

        var now = time.GetUtcNow();
        if (PaymentIntentStatuses.HasTakenPayment(status))
        {
            cart.SettlePaidOrder(order.Id, order.Lines, now);
        }
        else
        {
            cart.OpenOrderId = null;
            cart.Touch(now);
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Order {OrderId} left as it is (PaymentIntent {Status}); the changed cart gets a new order", order.PublicId, status);
        return null;
    }

    private async Task<CheckoutOutcome> CreatePaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        await GiveBackConnectionAsync();
        var created = await gateway.CreatePaymentIntentAsync(order, cancellationToken);
        if (created.Failure is { Kind: GatewayFailureKind.IdempotencyConflict })
        {
            logger.LogWarning("Stripe holds order {OrderId}'s creation key of attempt {Attempt} with other parameters; starting a new attempt",
                order.PublicId, order.PaymentAttempt);
            order.StartNewPaymentAttempt(time.GetUtcNow());
            created = await gateway.CreatePaymentIntentAsync(order, cancellationToken);
        }

        if (created.PaymentIntent is not { } intent)
        {
            return Failed(order, created.Failure!);
        }

        order.AttachPaymentIntent(intent.Id, intent.ClientSecret, intent.Amount, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Order {OrderId} has PaymentIntent {PaymentIntentId} for {Amount}", order.PublicId, intent.Id, order.Total);
        return Ready(order);
    }

    private async Task<GatewayResult> UpdatePaymentIntentAsync(Order order, CancellationToken cancellationToken)
    {
        var revision = order.NextPaymentIntentRevision();
        var updated = await gateway.UpdatePaymentIntentAsync(order, revision, cancellationToken);
        if (updated.Failure is { Kind: GatewayFailureKind.IdempotencyConflict })
        {
            logger.LogWarning("Stripe holds order {OrderId}'s update key of revision {Revision} with other parameters; using the next revision",
                order.PublicId, revision);
            revision++;
            updated = await gateway.UpdatePaymentIntentAsync(order, revision, cancellationToken);
        }

        if (updated.PaymentIntent is { } intent)
        {
            order.RecordPaymentIntentAmount(revision, intent.Amount, time.GetUtcNow());
            logger.LogInformation("Order {OrderId} PaymentIntent {PaymentIntentId} updated to {Amount}", order.PublicId, intent.Id, order.Total);
        }

        return updated;
    }

    /// <summary>
    /// Saves the order's changes with the cart, touched: the cart's version makes a concurrent checkout of the same cart
    /// look again. One SaveChanges, so one commit (EF Core wraps its statements in a transaction).
    /// </summary>
    private async Task SaveWithCartAsync(Cart cart, CancellationToken cancellationToken)
    {
        cart.Touch(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Closes the round's connection before a call to Stripe, which may take seconds: a pooled connection is not held
    /// through it. Saves after the call open their own. Closing again, or one EF Core opened itself, does nothing.
    /// </summary>
    private Task GiveBackConnectionAsync() => db.Database.CloseConnectionAsync();

    private static CheckoutOutcome Ready(Order order) => new(CheckoutStatus.ReadyToPay, order.PublicId);

    private CheckoutOutcome Failed(Order order, GatewayFailure failure)
    {
        // What this request changed but did not save (a revision Stripe did not take) must not ride along with a later save.
        db.ChangeTracker.Clear();
        return new CheckoutOutcome(CheckoutStatus.GatewayFailed, order.PublicId, failure);
    }
}
