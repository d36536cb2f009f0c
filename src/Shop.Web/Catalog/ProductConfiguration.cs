using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Web.Catalog;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> product)
    {
        product.HasIndex(p => p.Slug).IsUnique();
        product.Property(p => p.Slug).HasMaxLength(100);
        product.Property(p => p.Name).HasMaxLength(200);
        product.Property(p => p.Currency).HasMaxLength(3);
    }
}
