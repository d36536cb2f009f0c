using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Tests.Data;

/// <summary>Each provider's migration set matches the one model: a model change without its migrations fails here.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void The_sqlite_migrations_match_the_model()
    {
        using var db = new SqliteShopDbContextDesignTimeFactory().CreateDbContext([]);

        var pending = db.Database.HasPendingModelChanges();

        Assert.False(pending, "the model has changed since the last SQLite migration: see README (Data/Migrations) for the dotnet-ef command");
    }

    [Fact]
    public void The_postgresql_migrations_match_the_model()
    {
        using var db = new PostgreSqlShopDbContextDesignTimeFactory().CreateDbContext([]);

        var pending = db.Database.HasPendingModelChanges();

        Assert.False(pending, "the model has changed since the last PostgreSQL migration: see README (Data/Migrations) for the dotnet-ef command");
    }

    [Fact]
    public void Each_provider_has_its_own_migrations()
    {
        using var sqlite = new SqliteShopDbContextDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgreSqlShopDbContextDesignTimeFactory().CreateDbContext([]);

        var sqliteMigrations = sqlite.Database.GetMigrations().ToList();
        var postgresMigrations = postgres.Database.GetMigrations().ToList();

        Assert.NotEmpty(sqliteMigrations);
        Assert.NotEmpty(postgresMigrations);
        Assert.Empty(sqliteMigrations.Intersect(postgresMigrations));
    }
}
