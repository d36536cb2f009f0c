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

    /// <summary>Each feature configures its entities beside their classes (an <see cref="IEntityTypeConfiguration{TEntity}"/> each).</summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ShopDbContext).Assembly);
    }
}
