using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;

namespace Shop.Tests.Data;

public sealed class DatabaseLocksTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Create();

    [PostgreSqlFact]
    public async Task A_lock_held_by_one_instance_is_refused_to_another_until_released()
    {
        var one = NewInstanceLocks();
        var another = NewInstanceLocks();

        var held = await one.TryAcquireAsync("reconciliation", CancellationToken.None);
        var refused = await another.TryAcquireAsync("reconciliation", CancellationToken.None);
        var otherName = await another.TryAcquireAsync("event-catch-up", CancellationToken.None);
        await held!.DisposeAsync();
        var afterRelease = await another.TryAcquireAsync("reconciliation", CancellationToken.None);

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.NotNull(otherName);
        Assert.NotNull(afterRelease);
        await otherName.DisposeAsync();
        await afterRelease.DisposeAsync();
    }

    [PostgreSqlFact]
    public async Task A_lock_whose_holder_dies_is_free_again()
    {
        var dying = NewInstanceLocks();
        var survivor = NewInstanceLocks();
        await using var held = await dying.TryAcquireAsync("reconciliation", CancellationToken.None);

        // The holder's connection ends as it does when its process dies: the server ends its session. Only this test's
        // database: advisory locks are per database, and the server is shared with other tests. Termination is
        // asynchronous, so wait (bounded) until the server has released the lock.
        await using (var db = _database.Open())
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
            await Poll.UntilAsync(
                () => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").SingleAsync(),
                held => held == 0, held => $"{held} advisory locks still held");
        }

        await using var taken = await survivor.TryAcquireAsync("reconciliation", CancellationToken.None);

        Assert.NotNull(held);
        Assert.NotNull(taken);
    }

    [SqliteFact]
    public async Task On_sqlite_the_one_process_always_gets_the_lock()
    {
        var locks = NewInstanceLocks();

        await using var first = await locks.TryAcquireAsync("reconciliation", CancellationToken.None);
        await using var second = await locks.TryAcquireAsync("reconciliation", CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(second);
    }

    public void Dispose() => _database.Dispose();

    private DatabaseLocks NewInstanceLocks() =>
        new(Options.Create(new DatabaseOptions { Provider = TestDatabase.Provider, ConnectionString = _database.ConnectionString }));
}
