using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Payments.Events;

internal sealed class StripeEventRecordConfiguration : IEntityTypeConfiguration<StripeEventRecord>
{
    public void Configure(EntityTypeBuilder<StripeEventRecord> record)
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
    }
}
