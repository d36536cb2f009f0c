using System.Collections.Concurrent;

namespace Shop.Web.BackgroundWork;

/// <summary>What one background worker last did, for operations (a health check reads <see cref="WorkerHealth"/>).</summary>
/// <param name="RetryAt">When a failing worker tries again; null while it is working normally.</param>
/// <param name="CompletedPasses">Passes that ended without an error since the process started.</param>
public sealed record WorkerStatus(
    string Worker,
    DateTimeOffset StartedAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? RetryAt,
    long CompletedPasses);

/// <summary>Each background worker's last success and last failure in this process, by worker name.</summary>
public sealed class WorkerHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, WorkerStatus> _workers = new(StringComparer.Ordinal);

    public IReadOnlyList<WorkerStatus> Workers => [.. _workers.Values.OrderBy(w => w.Worker, StringComparer.Ordinal)];

    public WorkerStatus? Find(string worker) => _workers.GetValueOrDefault(worker);

    public void RecordStart(string worker) =>
        _workers[worker] = new WorkerStatus(worker, time.GetUtcNow(), null, null, null, 0, null, 0);

    public void RecordSuccess(string worker)
    {
        var now = time.GetUtcNow();
        _workers.AddOrUpdate(worker,
            _ => new WorkerStatus(worker, now, now, null, null, 0, null, 1),
            (_, status) => status with { LastSuccessAt = now, ConsecutiveFailures = 0, RetryAt = null, CompletedPasses = status.CompletedPasses + 1 });
    }

    public void RecordFailure(string worker, Exception error, DateTimeOffset retryAt)
    {
        var now = time.GetUtcNow();
        var description = Describe(error);
        _workers.AddOrUpdate(worker,
            _ => new WorkerStatus(worker, now, null, now, description, 1, retryAt, 0),
            (_, status) => status with
            {
                LastFailureAt = now,
                LastError = description,
                ConsecutiveFailures = status.ConsecutiveFailures + 1,
                RetryAt = retryAt,
            });
    }

    private static string Describe(Exception error)
    {
        // Wrappers (EF's "likely due to a transient failure") hide the cause an operator needs: name the innermost too.
        var cause = error.GetBaseException();
        var description = cause == error
            ? $"{error.GetType().Name}: {error.Message}"
            : $"{error.GetType().Name}: {error.Message} (cause: {cause.GetType().Name}: {cause.Message})";
        return description.Length > 1000 ? description[..1000] : description;
    }

    /// <summary>A worker's status as a health check's data.</summary>
    public static Dictionary<string, object> HealthData(WorkerStatus? status)
    {
        var data = new Dictionary<string, object>();
        if (status is not null)
        {
            data["startedAt"] = status.StartedAt;
            data["completedPasses"] = status.CompletedPasses;
            data["consecutiveFailures"] = status.ConsecutiveFailures;
            AddIfSet(data, "lastSuccessAt", status.LastSuccessAt);
            AddIfSet(data, "lastFailureAt", status.LastFailureAt);
            AddIfSet(data, "lastError", status.LastError);
            AddIfSet(data, "retryAt", status.RetryAt);
        }

        return data;
    }

    private static void AddIfSet(Dictionary<string, object> data, string key, object? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }
}
