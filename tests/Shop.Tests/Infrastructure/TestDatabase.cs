using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Web.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// An empty database of its own for one test's shop: a SQLite file in a temporary folder, or, when the environment
/// variable SHOP_TEST_DATABASE is PostgreSql, a fresh database on the PostgreSQL server that SHOP_TEST_POSTGRES names
/// (default: the one scripts/postgres.sh starts). Disposing it deletes the file or drops the database.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    public const string ProviderVariable = "SHOP_TEST_DATABASE";
    public const string ServerVariable = "SHOP_TEST_POSTGRES";

    private readonly string? _directory;
    private readonly string? _databaseName;
    private bool _disposed;

    private TestDatabase(string connectionString, string? directory, string? databaseName)
    {
        ConnectionString = connectionString;
        _directory = directory;
        _databaseName = databaseName;
    }

    /// <summary>The provider the whole test run uses, from SHOP_TEST_DATABASE (Sqlite when unset).</summary>
    public static string Provider { get; } = ReadProvider();

    public static bool UsesPostgreSql => Provider == DatabaseOptions.PostgreSql;

    /// <summary>A connection string to the PostgreSQL server's own database, with the right to create databases.</summary>
    public static string ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server
            ? server
            : "Host=127.0.0.1;Port=54329;Username=shop;Password=shop;Database=shop";

    public string ConnectionString { get; }

    /// <summary>The SQLite file, for tests of SQLite itself.</summary>
    public string SqliteFilePath => Path.Combine(_directory ?? throw new InvalidOperationException("Not a SQLite test database."), "shop.db");

    /// <summary>The shop's settings that point it at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = _databaseName is null ? DatabaseOptions.Sqlite : DatabaseOptions.PostgreSql,
        ["ConnectionStrings:Shop"] = ConnectionString,
    };

    public static TestDatabase Create() => UsesPostgreSql ? CreatePostgreSql() : CreateSqlite();

    /// <summary>A fresh context on the database, for arranging and asserting on rows.</summary>
    public ShopDbContext Open() => _databaseName is null
        ? new SqliteShopDbContext(new DbContextOptionsBuilder<SqliteShopDbContext>().UseSqlite(ConnectionString).Options)
        : new PostgreSqlShopDbContext(new DbContextOptionsBuilder<PostgreSqlShopDbContext>().UseNpgsql(ConnectionString).Options);

    public void Dispose()
    {
        // WebApplicationFactory disposes its factory twice (Dispose, then DisposeAsync's own Dispose).
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_databaseName is not null)
        {
            // FORCE ends the connections that the shop's pool and the test's contexts still hold on it.
            using var server = new NpgsqlConnection(ServerConnectionString);
            server.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", server);
            drop.ExecuteNonQuery();
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
            NpgsqlConnection.ClearPool(new NpgsqlConnection(DataExtensions.PostgreSqlConnectionString(ConnectionString)));
        }
        else
        {
            // Pooled connections keep the file open: the folder's deletion needs them closed.
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory!, recursive: true);
        }
    }

    /// <summary>A SQLite file whatever the run's provider: the source of a copy to PostgreSQL, say.</summary>
    public static TestDatabase CreateSqlite()
    {
        var directory = Directory.CreateTempSubdirectory("shop-tests-").FullName;
        return new TestDatabase($"Data Source={Path.Combine(directory, "shop.db")}", directory, null);
    }

    public static TestDatabase CreatePostgreSql()
    {
        var name = $"shop_test_{Guid.NewGuid():N}";
        try
        {
            using var server = new NpgsqlConnection(ServerConnectionString);
            server.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
            create.ExecuteNonQuery();
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"{ProviderVariable}=PostgreSql, but no test database could be created on {ServerVariable} ({ServerConnectionString}): {ex.Message}. " +
                "Start the server with scripts/postgres.sh start.", ex);
        }

        var connection = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name };
        return new TestDatabase(connection.ConnectionString, null, name);
    }

    private static string ReadProvider()
    {
        var value = Environment.GetEnvironmentVariable(ProviderVariable);
        if (string.IsNullOrEmpty(value) || string.Equals(value, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseOptions.Sqlite;
        }

        return string.Equals(value, DatabaseOptions.PostgreSql, StringComparison.OrdinalIgnoreCase)
            ? DatabaseOptions.PostgreSql
            : throw new InvalidOperationException($"{ProviderVariable} must be Sqlite or PostgreSql; it is \"{value}\".");
    }
}
