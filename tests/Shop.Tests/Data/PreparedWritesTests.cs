using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Tests.Data;

public sealed class PreparedWritesTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly StripeStub _stripe = new();
    private readonly ShopApp _app;

    public PreparedWritesTests() => _app = new ShopApp(_stripe);

    [Fact]
    public async Task An_update_writes_the_changed_columns_and_the_new_version()
    {
        var placed = await _app.PlaceOrderAsync();
        await using var db = _app.OpenDatabase();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var order = await db.Orders.SingleAsync();

        order.ApplyPayment(new PaymentStanding(OrderStatus.PaymentFailed, FailureMessage: "Your card was declined.", FailureCode: "generic_decline"), s_now);
        await using var writes = new PreparedWrites(db);
        var updated = await writes.UpdateModifiedAsync<Order>(CancellationToken.None);
        var savedAgain = await db.SaveChangesAsync();
        await transaction.CommitAsync();

        Assert.Equal(1, updated);
        // Accepted as written: tracked as unchanged with the new values, so SaveChanges has nothing left to write.
        Assert.Equal(EntityState.Unchanged, db.Entry(order).State);
        Assert.Equal(OrderStatus.PaymentFailed, order.Status);
        Assert.Equal(0, savedAgain);
        await using var check = _app.OpenDatabase();
        var stored = await check.Orders.SingleAsync();
        Assert.Equal(OrderStatus.PaymentFailed, stored.Status);
        Assert.Equal("generic_decline", stored.PaymentFailureCode);
        Assert.Equal(order.Version, stored.Version);
        Assert.Equal(placed.Amount, stored.TotalMinorUnits);
    }

    [Fact]
    public async Task An_order_changed_by_someone_else_meanwhile_is_a_concurrency_failure_and_nothing_is_written()
    {
        await _app.PlaceOrderAsync();
        await using var db = _app.OpenDatabase();
        var order = await db.Orders.SingleAsync();
        await using (var other = _app.OpenDatabase())
        {
            (await other.Orders.SingleAsync()).ApplyPayment(new PaymentStanding(OrderStatus.Canceled), s_now);
            await other.SaveChangesAsync();
        }

        order.ApplyPayment(new PaymentStanding(OrderStatus.Paid, PaidMinorUnits: order.TotalMinorUnits), s_now);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await using var writes = new PreparedWrites(db);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => writes.UpdateModifiedAsync<Order>(CancellationToken.None));

        await transaction.RollbackAsync();
        await using var check = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Canceled, (await check.Orders.SingleAsync()).Status);
    }

    [Fact]
    public async Task Commands_prepared_in_one_transaction_write_in_the_next_one_on_the_same_connection()
    {
        await _app.PlaceOrderAsync();
        await using var db = _app.OpenDatabase();
        await db.Database.OpenConnectionAsync();
        await using var writes = new PreparedWrites(db);
        var order = await db.Orders.SingleAsync();
        await using (var first = await db.Database.BeginTransactionAsync())
        {
            order.ApplyPayment(new PaymentStanding(OrderStatus.PaymentFailed, FailureMessage: "Your card was declined.", FailureCode: "generic_decline"), s_now);
            db.ChangeTracker.DetectChanges();
            await writes.UpdateModifiedAsync<Order>(CancellationToken.None);
            await first.CommitAsync();
        }

        await using (var second = await db.Database.BeginTransactionAsync())
        {
            order.ApplyPayment(new PaymentStanding(OrderStatus.Paid, PaidMinorUnits: order.TotalMinorUnits), s_now.AddMinutes(1));
            db.ChangeTracker.DetectChanges();
            await writes.UpdateModifiedAsync<Order>(CancellationToken.None);
            await second.CommitAsync();
        }

        await using var check = _app.OpenDatabase();
        var stored = await check.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Paid, stored.Status);
        Assert.Equal(order.Version, stored.Version);
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }
}
