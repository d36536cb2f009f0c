using System.Diagnostics;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Counts the commands Npgsql sends (its own spans: one per command or batch, so one per round trip) while a piece of the
/// shop's work runs, in that work's trace only: the shop's background workers query the same database meanwhile.
/// </summary>
public static class NpgsqlCommands
{
    private const string TestSource = "Shop.Tests.NpgsqlCommands";
    private static readonly ActivitySource s_test = new(TestSource);

    public static async Task<(int Commands, T Result)> CountAsync<T>(Func<Task<T>> work)
    {
        var commands = 0;
        ActivityTraceId trace = default;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or TestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                if (activity.Source.Name == "Npgsql" && activity.TraceId == trace)
                {
                    Interlocked.Increment(ref commands);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var root = s_test.StartActivity("counted work")!;
        trace = root.TraceId;

        var result = await work();

        return (commands, result);
    }
}
