using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Orders;

internal sealed class OrderTimelineEntryConfiguration : IEntityTypeConfiguration<OrderTimelineEntry>
{
    public void Configure(EntityTypeBuilder<OrderTimelineEntry> entry)
    {
        entry.Property(e => e.Id).ValueGeneratedNever();
        entry.Property(e => e.Source).HasMaxLength(100);
        entry.Property(e => e.Title).HasMaxLength(100);
        entry.Property(e => e.Description).HasMaxLength(500);
        entry.Property(e => e.EventId).HasMaxLength(255);
        entry.HasIndex(e => new { e.OrderId, e.At });
        entry.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
