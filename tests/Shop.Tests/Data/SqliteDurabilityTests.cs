using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;

namespace Shop.Tests.Data;

public sealed class SqliteDurabilityTests
{
    [SqliteFact]
    public async Task The_database_file_is_in_wal_mode_and_the_shops_connections_sync_every_commit()
    {
        using var app = new ShopApp();
        using var client = app.CreateClient();

        await using var raw = new SqliteConnection($"Data Source={app.Database.SqliteFilePath}");
        await raw.OpenAsync();
        await using var journal = raw.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode;";
        var journalMode = (string?)await journal.ExecuteScalarAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var sync = db.Database.GetDbConnection().CreateCommand();
        sync.CommandText = "PRAGMA synchronous;";
        var synchronous = (long?)await sync.ExecuteScalarAsync();

        Assert.Equal("wal", journalMode);
        Assert.Equal(2, synchronous); // 2 = FULL
    }
}
