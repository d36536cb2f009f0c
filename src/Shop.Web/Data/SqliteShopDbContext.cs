using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Web.Data;

/// <summary>The shop's model on SQLite; its migrations are in Data/Migrations/Sqlite.</summary>
public sealed class SqliteShopDbContext(DbContextOptions<SqliteShopDbContext> options) : ShopDbContext(options);

/// <summary>For dotnet-ef: the model needs a provider, not a database, to generate migrations.</summary>
public sealed class SqliteShopDbContextDesignTimeFactory : IDesignTimeDbContextFactory<SqliteShopDbContext>
{
    public SqliteShopDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteShopDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
