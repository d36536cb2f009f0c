using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Email;

/// <summary>
/// Collects the messages the SMTP server accepted during a batch and marks them sent in one statement when the batch
/// ends: one round trip per batch; a crash re-sends at most the batch (docs/decisions/0005-outbox-claims-and-leases.md).
/// </summary>
public sealed class SentRecorder(ShopDbContext db, string claim, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly List<OutboxMessage> _accepted = [];

    /// <summary>The server accepted <paramref name="row"/>; safe to call from several connections at once.</summary>
    public void Accepted(OutboxMessage row)
    {
        lock (_lock)
        {
            _accepted.Add(row);
        }
    }

    /// <summary>Marks every message accepted so far as sent. Not cancellable: forgetting an accepted message would send it twice.</summary>
    public async Task FlushAsync()
    {
        List<Guid> ids;
        lock (_lock)
        {
            ids = _accepted.ConvertAll(r => r.Id);
            _accepted.Clear();
        }

        if (ids.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var updated = await db.Outbox.Where(m => ids.Contains(m.Id) && m.LockedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Sent)
            .SetProperty(m => m.SentAt, now)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LockedBy, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
        if (updated < ids.Count)
        {
            // Only possible if this batch outlived its lease and another instance took rows over.
            logger.LogWarning("{Lost} of the emails {OutboxIds} were no longer claimed by this instance when they were recorded as sent",
                ids.Count - updated, ids);
        }
    }
}
