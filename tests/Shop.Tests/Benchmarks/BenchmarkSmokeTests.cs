using System.Diagnostics;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Benchmarks;

/// <summary>
/// scripts/bench.sh offers `--only postgres`, and a fresh clone once crashed there at once (issue 18): its smoke form runs
/// that group end to end (the shop as its own processes, wrk, PostgreSQL, the SMTP server) in seconds, so it cannot rot.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    // A guard against a hung run, not a measure: the run takes a minute or two alone, several on a machine shared with
    // other builds.
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(10);

    [PostgreSqlFact]
    public async Task The_postgres_benchmark_group_completes_its_smoke_run()
    {
        // Built beside this test project, in the same configuration (Shop.Tests references it for that).
        var configuration = Path.GetRelativePath(Path.Combine(LocalServers.RepositoryRoot, "tests", "Shop.Tests"), AppContext.BaseDirectory);
        var benchmarks = Path.Combine(LocalServers.RepositoryRoot, "tests", "Shop.Benchmarks", configuration, "Shop.Benchmarks.dll");
        var shop = Path.Combine(LocalServers.RepositoryRoot, "src", "Shop.Web", configuration);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { benchmarks, LocalServers.RepositoryRoot, shop, "--postgres", TestDatabase.ServerConnectionString, "--only", "postgres", "--smoke" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var run = Process.Start(start)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var errors = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_limit);

        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}\n{await output}\n{await errors}");
        Assert.Contains("Done", await output, StringComparison.Ordinal);
    }
}
