using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Email;

/// <summary>
/// Marks the messages the SMTP server accepted as sent, several to a commit, while the next messages go out over the same
/// connection. A durable commit cost the shop more CPU than sending the message itself, and one per message kept the drain
/// at a quarter of what the server accepts (docs/benchmarks.md); a commit here waits until <see cref="GroupSize"/> messages
/// are accepted (or the batch ends) and takes all that are, and only one runs at a time. At most <see cref="Window"/>
/// messages are ever accepted but not yet recorded: a crash re-sends at most those, each with its Message-Id (when every
/// message had its own commit, at most one). Used by one batch, from one loop; the commits run on a context of their own.
/// </summary>
public sealed class SentRecorder(ShopDbContext db, string claim, TimeProvider time, ILogger logger)
{
    public const int GroupSize = 4;

    /// <summary>Room for a group being committed and the next one filling up: sending only waits for a commit slower than that.</summary>
    public const int Window = 2 * GroupSize;

    private List<OutboxMessage> _queued = [];
    private int _committingCount;
    private Task _committing = Task.CompletedTask;
    private bool _connectionOpen;

    private int Unrecorded => (_committing.IsCompleted ? 0 : _committingCount) + _queued.Count;

    /// <summary>
    /// Call before sending another message: throws the error of a commit that failed, so that nothing more goes out that
    /// could not be recorded, and waits while <see cref="Window"/> messages are unrecorded.
    /// </summary>
    public async Task BeforeSendAsync()
    {
        if (_committing.IsFaulted || Unrecorded >= Window)
        {
            await _committing;
            CommitQueued();
        }
    }

    /// <summary>The server accepted <paramref name="row"/>: it is committed with the next group.</summary>
    public void Accepted(OutboxMessage row)
    {
        _queued.Add(row);
        if (_queued.Count >= GroupSize && _committing.IsCompletedSuccessfully)
        {
            CommitQueued();
        }
    }

    /// <summary>Returns once every accepted message is recorded; throws if a commit failed.</summary>
    public async Task FlushAsync()
    {
        await _committing;
        CommitQueued();
        await _committing;
    }

    private void CommitQueued()
    {
        if (_queued.Count == 0)
        {
            return;
        }

        var rows = _queued;
        _queued = [];
        _committingCount = rows.Count;
        // On the thread pool: Microsoft.Data.Sqlite's async calls complete synchronously, and would not overlap anything.
        _committing = Task.Run(() => MarkSentAsync(rows));
    }

    // Not cancellable: once the server accepted a message, forgetting that would send it twice.
    private async Task MarkSentAsync(List<OutboxMessage> rows)
    {
        if (!_connectionOpen)
        {
            // Held for the batch's commits (the scope's end closes it), so that SQLite's pragmas run once, not every commit.
            await db.Database.OpenConnectionAsync(CancellationToken.None);
            _connectionOpen = true;
        }

        var ids = rows.Select(r => r.Id).ToList();
        var now = time.GetUtcNow();
        var updated = await db.Outbox.Where(m => ids.Contains(m.Id) && m.LockedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Sent)
            .SetProperty(m => m.SentAt, now)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LockedBy, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
        if (updated < rows.Count)
        {
            // Only possible if this batch outlived its lease and another instance took rows over.
            logger.LogWarning("{Lost} of the emails {OutboxIds} were no longer claimed by this instance when they were recorded as sent",
                rows.Count - updated, ids);
        }
    }
}
