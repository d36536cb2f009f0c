using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Shop.Web.Admin;
using Shop.Web.Catalog;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Web.Data;

/// <summary>
/// The shop's one EF model. Each database provider has its own subclass only so that it has its own migrations and
/// snapshot (<see cref="SqliteShopDbContext"/>, <see cref="PostgreSqlShopDbContext"/>); everything else asks for this type.
/// It holds the admin area's Identity tables too (users, roles), so one database and one migration set serve both, and
/// the data-protection keys every instance shares (Security/DataProtectionKeys).
/// </summary>
public abstract class ShopDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Carts.Cart> Carts => Set<Carts.Cart>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<OrderTimelineEntry> OrderTimeline => Set<OrderTimelineEntry>();

    public DbSet<PaymentIntentFact> PaymentIntentFacts => Set<PaymentIntentFact>();

    public DbSet<ChargeFact> ChargeFacts => Set<ChargeFact>();

    public DbSet<DisputeFact> DisputeFacts => Set<DisputeFact>();

    public DbSet<RefundFact> RefundFacts => Set<RefundFact>();

    public DbSet<CatchUpCheckpoint> CatchUpCheckpoints => Set<CatchUpCheckpoint>();

    public DbSet<RefundRequest> RefundRequests => Set<RefundRequest>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsSqlite())
        {
            // SQLite has no date type; as text it cannot order or compare offsets. Ticks since 0001 in UTC
            // sort correctly. PostgreSQL keeps its native timestamptz.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }

        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Product>(product =>
        {
            product.HasIndex(p => p.Slug).IsUnique();
            product.Property(p => p.Slug).HasMaxLength(100);
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.Currency).HasMaxLength(3);
        });

        builder.Entity<Carts.Cart>(cart =>
        {
            cart.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.CartId).OnDelete(DeleteBehavior.Cascade);
            cart.Property(c => c.Version).IsConcurrencyToken();
        });

        builder.Entity<Carts.CartItem>(item =>
        {
            item.HasIndex(i => new { i.CartId, i.ProductId }).IsUnique();
            item.HasOne(i => i.Product).WithMany().HasForeignKey(i => i.ProductId);
        });

        builder.Entity<Order>(order =>
        {
            order.HasIndex(o => o.PublicId).IsUnique();
            order.HasIndex(o => o.PaymentIntentId).IsUnique();
            order.HasIndex(o => new { o.Status, o.UpdatedAt });
            order.Property(o => o.PublicId).HasMaxLength(40);
            order.Property(o => o.CustomerEmail).HasMaxLength(254);
            order.Property(o => o.CustomerName).HasMaxLength(200);
            order.Property(o => o.Currency).HasMaxLength(3);
            order.Property(o => o.PaymentIntentId).HasMaxLength(255);
            order.Property(o => o.PaymentFailureMessage).HasMaxLength(500);
            order.Property(o => o.PaymentFailureCode).HasMaxLength(100);
            order.Property(o => o.Version).IsConcurrencyToken();
            order.ComplexProperty(o => o.ShippingAddress, address =>
            {
                address.Property(a => a.Line1).HasMaxLength(200);
                address.Property(a => a.Line2).HasMaxLength(200);
                address.Property(a => a.City).HasMaxLength(100);
                address.Property(a => a.PostalCode).HasMaxLength(20);
                address.Property(a => a.Country).HasMaxLength(2);
            });
            order.HasMany(o => o.Lines).WithOne().HasForeignKey("OrderId").OnDelete(DeleteBehavior.Cascade);
            order.Navigation(o => o.Lines).AutoInclude();
        });

        builder.Entity<StripeEventRecord>(record =>
        {
            record.HasKey(e => e.EventId);
            record.Property(e => e.EventId).HasMaxLength(255);
            record.Property(e => e.Type).HasMaxLength(100);
            record.Property(e => e.PaymentIntentId).HasMaxLength(255);
            // Catch-up asks Stripe for events from the newest one stored.
            record.HasIndex(e => e.CreatedAt);
            // OrderId says which order an event was about; nothing looks events up by it (the order's history is its
            // timeline) and orders are never deleted, so neither a foreign key nor its index: every webhook paid for
            // writing that index's page and checking the key (docs/benchmarks.md, step 14).
        });

        builder.Entity<OutboxMessage>(message =>
        {
            // The id is made when the row is (it is also the Message-Id): never generated by EF or the database.
            message.Property(m => m.Id).ValueGeneratedNever();
            message.HasIndex(m => new { m.Status, m.NextAttemptAt });
            message.Property(m => m.Reason).HasMaxLength(500);
            message.Property(m => m.LastError).HasMaxLength(1000);
            message.Property(m => m.LockedBy).HasMaxLength(100);
            message.Property(m => m.DedupeKey).HasMaxLength(255);
            message.HasIndex(m => new { m.OrderId, m.DedupeKey }).IsUnique();
            message.HasOne<Order>().WithMany().HasForeignKey(m => m.OrderId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<OrderTimelineEntry>(entry =>
        {
            entry.Property(e => e.Id).ValueGeneratedNever();
            entry.Property(e => e.Source).HasMaxLength(100);
            entry.Property(e => e.Title).HasMaxLength(100);
            entry.Property(e => e.Description).HasMaxLength(500);
            entry.Property(e => e.EventId).HasMaxLength(255);
            entry.HasIndex(e => new { e.OrderId, e.At });
            entry.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<RefundRequest>(request =>
        {
            request.Property(r => r.Id).ValueGeneratedNever();
            request.Property(r => r.PaymentIntentId).HasMaxLength(255);
            request.Property(r => r.Currency).HasMaxLength(3);
            request.Property(r => r.RequestedBy).HasMaxLength(256);
            request.Property(r => r.Note).HasMaxLength(RefundRequest.NoteMaxLength);
            request.Property(r => r.StripeRefundId).HasMaxLength(255);
            request.Property(r => r.StripeRefundStatus).HasMaxLength(40);
            request.Property(r => r.Refusal).HasMaxLength(500);
            request.Ignore(r => r.Amount);
            request.HasIndex(r => r.OrderId);
            request.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
        });

        // Facts are keyed by Stripe's ids and found by PaymentIntent, like orders; no foreign key, since Stripe's objects
        // exist whatever the shop's tables say.
        builder.Entity<PaymentIntentFact>(fact =>
        {
            fact.HasKey(f => f.PaymentIntentId);
            fact.Ignore(f => f.ObjectId);
            fact.Property(f => f.PaymentIntentId).HasMaxLength(255);
            fact.Property(f => f.Status).HasMaxLength(40);
            fact.Property(f => f.Currency).HasMaxLength(3);
            fact.Property(f => f.FailureCode).HasMaxLength(100);
            fact.Property(f => f.FailureMessage).HasMaxLength(500);
            fact.Property(f => f.FailureKey).HasMaxLength(255);
        });

        builder.Entity<ChargeFact>(fact =>
        {
            fact.HasKey(f => f.ChargeId);
            fact.Ignore(f => f.ObjectId);
            fact.Property(f => f.ChargeId).HasMaxLength(255);
            fact.Property(f => f.PaymentIntentId).HasMaxLength(255);
            fact.Property(f => f.Status).HasMaxLength(40);
            fact.Property(f => f.Currency).HasMaxLength(3);
            fact.HasIndex(f => f.PaymentIntentId);
        });

        builder.Entity<DisputeFact>(fact =>
        {
            fact.HasKey(f => f.DisputeId);
            fact.Ignore(f => f.ObjectId);
            fact.Property(f => f.DisputeId).HasMaxLength(255);
            fact.Property(f => f.PaymentIntentId).HasMaxLength(255);
            fact.Property(f => f.ChargeId).HasMaxLength(255);
            fact.Property(f => f.Status).HasMaxLength(40);
            fact.Property(f => f.Currency).HasMaxLength(3);
            fact.Property(f => f.Reason).HasMaxLength(100);
            fact.HasIndex(f => f.PaymentIntentId);
        });

        builder.Entity<RefundFact>(fact =>
        {
            fact.HasKey(f => f.RefundId);
            fact.Ignore(f => f.ObjectId);
            fact.Property(f => f.RefundId).HasMaxLength(255);
            fact.Property(f => f.PaymentIntentId).HasMaxLength(255);
            fact.Property(f => f.ChargeId).HasMaxLength(255);
            fact.Property(f => f.Status).HasMaxLength(40);
            fact.Property(f => f.Currency).HasMaxLength(3);
            fact.HasIndex(f => f.PaymentIntentId);
        });

        builder.Entity<CatchUpCheckpoint>(checkpoint =>
        {
            checkpoint.HasKey(c => c.Name);
            checkpoint.Property(c => c.Name).HasMaxLength(100);
        });

        builder.Entity<OrderLine>(line =>
        {
            line.Property(l => l.ProductName).HasMaxLength(200);
            line.Property(l => l.Currency).HasMaxLength(3);
        });
    }
}
