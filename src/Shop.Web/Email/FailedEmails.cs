using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Email;

/// <summary>Emails the outbox gave up on, for support: each can be put back in the queue.</summary>
public sealed class FailedEmails(ShopDbContext db, OutboxSignal signal, TimeProvider time)
{
    /// <summary>
    /// Makes a Failed email due now. It keeps its attempts and its LastError until the next attempt replaces it; one older
    /// than Smtp:GiveUpAfter gets that one attempt. Returns false when no failed email has this id (a sent one stays sent).
    /// </summary>
    public async Task<bool> RequeueAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var requeued = await db.Outbox.Where(m => m.Id == id && m.Status == OutboxStatus.Failed).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Pending)
            .SetProperty(m => m.NextAttemptAt, now)
            .SetProperty(m => m.LockedBy, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        if (requeued == 0)
        {
            return false;
        }

        signal.Notify();
        return true;
    }
}
