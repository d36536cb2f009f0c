using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Web.Orders;

namespace Shop.Web.Admin;

internal sealed class RefundRequestConfiguration : IEntityTypeConfiguration<RefundRequest>
{
    public void Configure(EntityTypeBuilder<RefundRequest> request)
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
    }
}
