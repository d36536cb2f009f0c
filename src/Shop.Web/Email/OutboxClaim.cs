using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Email;

/// <summary>
/// A batch of due outbox rows one sender pass holds under a lease that its heartbeat renews, so a dead instance's rows
/// are soon free to another (docs/decisions/0005-outbox-claims-and-leases.md).
/// </summary>
public sealed class OutboxClaim
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private long _renewedAt;

    private OutboxClaim(string token, IReadOnlyList<Guid> ids, TimeProvider time, long takenAt, TimeSpan lease)
    {
        Token = token;
        Ids = ids;
        _time = time;
        _renewedAt = takenAt;
        _lease = lease;
    }

    public string Token { get; }

    public IReadOnlyList<Guid> Ids { get; }

    public int Count => Ids.Count;
    /// <summary>
    /// Claims up to <paramref name="batchSize"/> due rows not held by anyone; null when none is free. The lease is in the
    /// database's clock on PostgreSQL, this instance's on SQLite (the ADR above says why).
    /// </summary>
    public static async Task<OutboxClaim?> TakeAsync(ShopDbContext db, string token, int batchSize, TimeSpan lease, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Taken before the claim: the lease started no earlier than this, so a deadline counted from here is never late.
        var takenAt = time.GetTimestamp();
        var now = time.GetUtcNow();
        var ids = db.Database.IsNpgsql()
            ? await TakeOnPostgreSqlAsync(db, token, batchSize, lease, now, cancellationToken)
            : await TakeOnSqliteAsync(db, token, batchSize, lease, now, cancellationToken);
        return ids.Count == 0 ? null : new OutboxClaim(token, ids, time, takenAt, lease);
    }

    /// <summary>
    /// Whether the lease ends within <paramref name="margin"/>: past it another instance may take the rows over. Measured
    /// as time elapsed since the claim, which means the same on either clock.
    /// </summary>
    public bool EndsWithin(TimeSpan margin) => _time.GetElapsedTime(Volatile.Read(ref _renewedAt)) + margin >= _lease;

    /// <summary>
    /// Moves the lease's end to a full <see cref="SmtpOptions.LeaseDuration"/> from now, for the rows this claim still
    /// holds (sent ones are no longer its). Called from the heartbeat, on a context of its own, while the pass sends.
    /// </summary>
    public async Task RenewAsync(ShopDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Taken before the statement, as for the claim: a deadline counted from here is never late.
        var renewedAt = _time.GetTimestamp();
        var ids = Ids.ToArray();
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "Outbox" SET "LockedUntil" = now() + {_lease} WHERE "Id" = ANY({ids}) AND "LockedBy" = {Token}
                """, cancellationToken);
        }
        else
        {
            var leaseUntil = _time.GetUtcNow() + _lease;
            await db.Outbox.Where(m => ids.Contains(m.Id) && m.LockedBy == Token)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, leaseUntil), cancellationToken);
        }

        Volatile.Write(ref _renewedAt, renewedAt);
    }

    /// <summary>
    /// Frees the rows this claim still holds (not sent yet, or not recorded), for the next pass of any instance rather
    /// than when the lease ends. Not cancellable: it runs precisely when the host is stopping.
    /// </summary>
    public Task ReleaseAsync(ShopDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = Ids.ToArray();
        return db.Outbox.Where(m => ids.Contains(m.Id) && m.LockedBy == Token)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedBy, (string?)null).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null),
                CancellationToken.None);
    }

    private static async Task<List<Guid>> TakeOnPostgreSqlAsync(ShopDbContext db, string token, int batchSize, TimeSpan lease, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // One statement, so one transaction of its own and one round trip: committed before the first SMTP byte, and
        // it returns the ids it claimed. Rows another claimer has locked at this moment are skipped, not waited for; the
        // lease conditions are checked under the row lock.
        return await db.Database.SqlQuery<Guid>($"""
            WITH due AS (
                SELECT "Id" FROM "Outbox"
                WHERE "Status" = {nameof(OutboxStatus.Pending)} AND "NextAttemptAt" <= {now}
                  AND ("LockedUntil" IS NULL OR "LockedUntil" < now())
                ORDER BY "NextAttemptAt"
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED)
            UPDATE "Outbox" AS o SET "LockedBy" = {token}, "LockedUntil" = now() + {lease}
            FROM due WHERE o."Id" = due."Id"
            RETURNING o."Id" AS "Value"
            """).ToListAsync(cancellationToken);
    }

    private static async Task<List<Guid>> TakeOnSqliteAsync(ShopDbContext db, string token, int batchSize, TimeSpan lease, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var due = await Due(db.Outbox, now).OrderBy(m => m.NextAttemptAt).Select(m => m.Id).Take(batchSize).ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return due;
        }

        // The conditions are repeated in the UPDATE itself, not only in the SELECT above: should a second process race
        // for a row, the database re-checks them on the row it is about to change, so only one claim succeeds.
        var leaseUntil = now + lease;
        var claimed = await Due(db.Outbox.Where(m => due.Contains(m.Id)), now)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedBy, token).SetProperty(m => m.LockedUntil, leaseUntil), cancellationToken);
        return claimed == due.Count
            ? due
            : await db.Outbox.Where(m => due.Contains(m.Id) && m.LockedBy == token).Select(m => m.Id).ToListAsync(cancellationToken);
    }

    private static IQueryable<OutboxMessage> Due(IQueryable<OutboxMessage> outbox, DateTimeOffset now) =>
        outbox.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now));
}
