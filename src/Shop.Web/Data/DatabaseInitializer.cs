using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Shop.Web.Data;

/// <summary>
/// Applies pending migrations and runs each feature's <see cref="IDatabaseSeeder"/> when the host starts. Several instances
/// may start at once on an empty database: on PostgreSQL they take turns under an advisory lock, and seeds insert only what is absent.
/// </summary>
public sealed class DatabaseInitializer(IServiceScopeFactory scopes, DatabaseLocks locks, IOptions<DatabaseOptions> database,
    IEnumerable<IDatabaseSeeder> seeders)
    : IHostedService
{
    public const string LockName = "database-initializer";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var turn = await TakeTurnAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        // Migrate() on an up-to-date database still compares the model with the migrations' snapshot and takes EF's
        // migration lock: a sixth of every start. Which migrations are pending is one read of the history table.
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers carry on while the one writer commits. It is stored in the file, so once per start is enough,
            // also for a file that was created by someone else.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        foreach (var seeder in seeders)
        {
            await seeder.SeedAsync(db, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The first contact with the database: a server that cannot be reached stops the start with a plain message.</summary>
    private async Task<DatabaseLock> TakeTurnAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await locks.AcquireAsync(LockName, cancellationToken);
        }
        // DbException rather than NpgsqlException: a catch clause loads its type when the method first runs, and a shop on
        // SQLite has no use for Npgsql's 2.5 MB.
        catch (DbException ex) when (database.Value.UsesPostgreSql)
        {
            throw PostgreSqlUnreachable(ex);
        }
    }

    private InvalidOperationException PostgreSqlUnreachable(DbException ex)
    {
        var postgres = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString);
        return new InvalidOperationException(
            $"PostgreSQL at {postgres.Host}:{postgres.Port} (database \"{postgres.Database}\", user \"{postgres.Username}\", from " +
            $"ConnectionStrings:{DataExtensions.ConnectionStringName}) cannot be reached: {ex.Message}" +
            (ex.InnerException is { } inner ? $" ({inner.Message})" : "") +
            ". Is the server running and the connection string right? scripts/postgres.sh start starts a local one.", ex);
    }
}
