using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Payments.Reconciliation;

internal sealed class CatchUpCheckpointConfiguration : IEntityTypeConfiguration<CatchUpCheckpoint>
{
    public void Configure(EntityTypeBuilder<CatchUpCheckpoint> checkpoint)
    {
        checkpoint.HasKey(c => c.Name);
        checkpoint.Property(c => c.Name).HasMaxLength(100);
    }
}
