using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Web.Data;

namespace Shop.Benchmarks;

/// <summary>The database a scenario runs on: how the benchmark opens it and which settings point the shop at it.</summary>
public sealed record BenchDatabase(string Provider, string ConnectionString)
{
    public static BenchDatabase Sqlite(string path) => new(DatabaseOptions.Sqlite, $"Data Source={path}");

    /// <summary>Drops and creates <paramref name="name"/> on the server, so every run starts from an empty database.</summary>
    public static async Task<BenchDatabase> FreshPostgreSqlAsync(string serverConnectionString, string name)
    {
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name};";
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name };
        return new BenchDatabase(DatabaseOptions.PostgreSql, builder.ConnectionString);
    }

    public bool IsPostgreSql => Provider == DatabaseOptions.PostgreSql;

    public ShopDbContext Open() => IsPostgreSql
        ? new PostgreSqlShopDbContext(new DbContextOptionsBuilder<PostgreSqlShopDbContext>().UseNpgsql(ConnectionString).Options)
        : new SqliteShopDbContext(new DbContextOptionsBuilder<SqliteShopDbContext>().UseSqlite(ConnectionString).Options);

    /// <summary>The shop's settings for this database, as environment variables.</summary>
    public void ApplyTo(IDictionary<string, string> settings)
    {
        settings["ConnectionStrings__Shop"] = ConnectionString;
        settings["Database__Provider"] = Provider;
    }
}
