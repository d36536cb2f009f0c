using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Orders;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
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
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> line)
    {
        line.Property(l => l.ProductName).HasMaxLength(200);
        line.Property(l => l.Currency).HasMaxLength(3);
    }
}
