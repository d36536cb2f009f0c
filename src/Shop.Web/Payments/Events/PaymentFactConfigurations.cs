using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Payments.Events;

/// <summary>
/// The columns every fact has. Facts are keyed by Stripe's ids and found by PaymentIntent, like orders; no foreign key,
/// since Stripe's objects exist whatever the shop's tables say.
/// </summary>
internal abstract class PaymentFactConfiguration<TFact> : IEntityTypeConfiguration<TFact>
    where TFact : class, IPaymentFact
{
    public void Configure(EntityTypeBuilder<TFact> builder)
    {
        builder.Ignore(f => f.ObjectId);
        builder.Property(f => f.PaymentIntentId).HasMaxLength(255);
        // Each fact class declares its own Status and Currency (not the interface's): named here.
        builder.Property("Status").HasMaxLength(40);
        builder.Property("Currency").HasMaxLength(3);
        ConfigureFact(builder);
    }

    protected abstract void ConfigureFact(EntityTypeBuilder<TFact> fact);
}

internal sealed class PaymentIntentFactConfiguration : PaymentFactConfiguration<PaymentIntentFact>
{
    protected override void ConfigureFact(EntityTypeBuilder<PaymentIntentFact> fact)
    {
        fact.HasKey(f => f.PaymentIntentId);
        fact.Property(f => f.FailureCode).HasMaxLength(100);
        fact.Property(f => f.FailureMessage).HasMaxLength(500);
        fact.Property(f => f.FailureKey).HasMaxLength(255);
    }
}

internal sealed class ChargeFactConfiguration : PaymentFactConfiguration<ChargeFact>
{
    protected override void ConfigureFact(EntityTypeBuilder<ChargeFact> fact)
    {
        fact.HasKey(f => f.ChargeId);
        fact.Property(f => f.ChargeId).HasMaxLength(255);
        fact.HasIndex(f => f.PaymentIntentId);
    }
}

internal sealed class DisputeFactConfiguration : PaymentFactConfiguration<DisputeFact>
{
    protected override void ConfigureFact(EntityTypeBuilder<DisputeFact> fact)
    {
        fact.HasKey(f => f.DisputeId);
        fact.Property(f => f.DisputeId).HasMaxLength(255);
        fact.Property(f => f.ChargeId).HasMaxLength(255);
        fact.Property(f => f.Reason).HasMaxLength(100);
        fact.HasIndex(f => f.PaymentIntentId);
    }
}

internal sealed class RefundFactConfiguration : PaymentFactConfiguration<RefundFact>
{
    protected override void ConfigureFact(EntityTypeBuilder<RefundFact> fact)
    {
        fact.HasKey(f => f.RefundId);
        fact.Property(f => f.RefundId).HasMaxLength(255);
        fact.Property(f => f.ChargeId).HasMaxLength(255);
        fact.HasIndex(f => f.PaymentIntentId);
    }
}
