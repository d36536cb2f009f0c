using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Shop.Web.Catalog;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Webhooks;

namespace Shop.Web.Data;

public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Cart.Cart> Carts => Set<Cart.Cart>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(product =>
        {
            product.HasIndex(p => p.Slug).IsUnique();
            product.Property(p => p.Slug).HasMaxLength(100);
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.Currency).HasMaxLength(3);
        });

        modelBuilder.Entity<Cart.Cart>(cart =>
        {
            cart.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.CartId).OnDelete(DeleteBehavior.Cascade);
            cart.Property(c => c.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<Cart.CartItem>(item =>
        {
            item.HasIndex(i => new { i.CartId, i.ProductId }).IsUnique();
            item.HasOne(i => i.Product).WithMany().HasForeignKey(i => i.ProductId);
        });

        modelBuilder.Entity<Order>(order =>
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

        modelBuilder.Entity<StripeEventRecord>(record =>
        {
            record.HasKey(e => e.EventId);
            record.Property(e => e.EventId).HasMaxLength(255);
            record.Property(e => e.Type).HasMaxLength(100);
            record.Property(e => e.PaymentIntentId).HasMaxLength(255);
            record.Property(e => e.Description).HasMaxLength(500);
            record.HasIndex(e => new { e.OrderId, e.ReceivedAt });
            record.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.HasIndex(m => new { m.Status, m.NextAttemptAt });
            message.Property(m => m.Reason).HasMaxLength(500);
            message.Property(m => m.LastError).HasMaxLength(1000);
            message.Property(m => m.LockedBy).HasMaxLength(100);
            message.HasOne<Order>().WithMany().HasForeignKey(m => m.OrderId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OrderLine>(line =>
        {
            line.Property(l => l.ProductName).HasMaxLength(200);
            line.Property(l => l.Currency).HasMaxLength(3);
        });
    }
}
