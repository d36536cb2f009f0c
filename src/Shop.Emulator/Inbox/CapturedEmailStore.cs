namespace Shop.Emulator.Inbox;

/// <summary>The bounded list of captured messages and the tests waiting for one.</summary>
internal sealed class CapturedEmailStore(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Queue<CapturedEmail> _messages = new();
    private readonly List<Waiter> _waiters = [];
    private long _lastId;

    public long NextId() => Interlocked.Increment(ref _lastId);

    public IReadOnlyList<CapturedEmail> Snapshot()
    {
        lock (_lock)
        {
            return [.. _messages];
        }
    }

    public CapturedEmail? Find(long id)
    {
        lock (_lock)
        {
            return _messages.FirstOrDefault(m => m.Id == id);
        }
    }

    public void Add(CapturedEmail email)
    {
        Waiter[] waiters;
        lock (_lock)
        {
            _messages.Enqueue(email);
            while (_messages.Count > capacity)
            {
                _messages.Dequeue();
            }

            waiters = [.. _waiters];
        }

        // Outside the lock: a test's predicate must not be able to stall SMTP sessions or deadlock on the store.
        foreach (var waiter in waiters)
        {
            waiter.Offer(email);
        }
    }

    public async Task<CapturedEmail> WaitAsync(Func<CapturedEmail, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var waiter = new Waiter(match);
        IReadOnlyList<CapturedEmail> already;
        lock (_lock)
        {
            // Registered before the scan, under the same lock as Add, so a message arriving now is seen by one or the other.
            _waiters.Add(waiter);
            already = [.. _messages];
        }

        try
        {
            foreach (var email in already)
            {
                waiter.Offer(email);
            }

            // Real time on purpose: a test that fakes the inbox's clock still wants its timeouts to fire.
            return await waiter.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(DescribeTimeout(timeout, Snapshot()));
        }
        finally
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private static string DescribeTimeout(TimeSpan timeout, IReadOnlyList<CapturedEmail> arrived)
    {
        if (arrived.Count == 0)
        {
            return $"No matching email arrived within {timeout.TotalSeconds:0.##} s; the dev inbox received no email at all.";
        }

        var lines = arrived.Select(m => "  " + m);
        return $"No matching email arrived within {timeout.TotalSeconds:0.##} s; the dev inbox holds {arrived.Count}:{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines);
    }

    private sealed class Waiter(Func<CapturedEmail, bool> match)
    {
        private readonly TaskCompletionSource<CapturedEmail> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<CapturedEmail> Task => _completion.Task;

        public void Offer(CapturedEmail email)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            try
            {
                if (match(email))
                {
                    _completion.TrySetResult(email);
                }
            }
#pragma warning disable CA1031 // Not swallowed: the predicate's own failure is handed to the test that is waiting on it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _completion.TrySetException(ex);
            }
        }
    }
}
