using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Web.Data;

/// <summary>The shop's model on PostgreSQL; its migrations are in Data/Migrations/PostgreSql.</summary>
public sealed class PostgreSqlShopDbContext(DbContextOptions<PostgreSqlShopDbContext> options) : ShopDbContext(options);

/// <summary>For dotnet-ef: the model needs a provider, not a server, to generate migrations.</summary>
public sealed class PostgreSqlShopDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlShopDbContext>
{
    public PostgreSqlShopDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlShopDbContext>().UseNpgsql("Host=design-time").Options);
}
