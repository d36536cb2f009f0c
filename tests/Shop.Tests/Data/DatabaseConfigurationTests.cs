using Shop.Tests.Infrastructure;

namespace Shop.Tests.Data;

public sealed class DatabaseConfigurationTests
{
    [Theory]
    [InlineData("MySql", "Data Source=shop.db", "Database:Provider must be \"Sqlite\" or \"PostgreSql\"; it is \"MySql\".")]
    [InlineData("PostgreSql", "Data Source=shop.db", "ConnectionStrings:Shop is not a PostgreSQL connection string")]
    [InlineData("PostgreSql", "Port=5432;Database=shop", "ConnectionStrings:Shop names no PostgreSQL server: add Host=...")]
    [InlineData("Sqlite", "Host=127.0.0.1;Database=shop", "ConnectionStrings:Shop is not a SQLite connection string")]
    [InlineData("PostgreSql", "", "ConnectionStrings:Shop is missing.")]
    public void A_wrong_provider_or_connection_string_stops_start_up_with_a_message_naming_the_key(string provider, string connectionString, string message)
    {
        using var app = new ShopApp(settings: new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Shop"] = connectionString,
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_postgresql_stops_start_up_saying_so()
    {
        using var app = new ShopApp(settings: new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            // Port 1 on the loopback: nothing listens, so the connection is refused at once.
            ["ConnectionStrings:Shop"] = "Host=127.0.0.1;Port=1;Username=shop;Password=shop;Database=shop",
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("PostgreSQL at 127.0.0.1:1 (database \"shop\", user \"shop\", from ConnectionStrings:Shop) cannot be reached", error.ToString(), StringComparison.Ordinal);
    }
}
