using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// scripts/cluster.sh in offline mode, started as a process of its own on free ports with a private PostgreSQL, the
/// way a developer starts it. Disposing it stops the script's whole process group and checks that nothing stayed.
/// </summary>
public sealed class ClusterScript : IAsyncDisposable
{
    /// <summary>
    /// Two hang guards, not performance limits: publishing the shop and the emulator (Release) is a build, whose time
    /// follows the machine's load (over four minutes seen beside a busy suite); starting the published cluster takes
    /// seconds, and the script gives each server a minute.
    /// </summary>
    private static readonly TimeSpan s_publishTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(30);
    private const string PublishedLine = "Starting the instances...";
    private const string ReadyLine = "Ctrl+C stops the cluster.";

    private readonly Process _script;
    private readonly int _scriptId;
    private readonly string _directory;
    private readonly Dictionary<string, string> _postgres;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterScript(Process script, string directory, int firstPort, Dictionary<string, string> postgres)
    {
        _script = script;
        _scriptId = script.Id;
        _directory = directory;
        _postgres = postgres;
        ShopUrl = new Uri($"http://127.0.0.1:{firstPort}");
        StripeUrl = new Uri($"http://127.0.0.1:{firstPort + Instances + 1}");
        InboxUrl = new Uri($"http://127.0.0.1:{firstPort + Instances + 3}");
        DatabaseConnectionString = $"Host=127.0.0.1;Port={firstPort + Instances + 4};Username=shop;Password=shop;Database=shop";
        InstancePorts = [.. Enumerable.Range(firstPort + 1, Instances)];
    }

    public const int Instances = 2;

    /// <summary>nginx, in front of the instances.</summary>
    public Uri ShopUrl { get; }

    /// <summary>The emulator: Stripe's API, Stripe.js and the deliveries of its webhooks.</summary>
    public Uri StripeUrl { get; }

    /// <summary>The dev inbox's pages and API.</summary>
    public Uri InboxUrl { get; }

    public string DatabaseConnectionString { get; }

    public IReadOnlyList<int> InstancePorts { get; }

    /// <summary>nginx's access log: each request with the instance that served it ("upstream=127.0.0.1:PORT").</summary>
    public string AccessLog => File.ReadAllText(Path.Combine(_directory, "cluster", "nginx-access.log"));

    /// <summary>The script's output so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Why the cluster script cannot run here, or null: it installs nginx itself, but only as root.</summary>
    public static string? MissingPrerequisite =>
        File.Exists("/usr/sbin/nginx") || Environment.UserName == "root" ? null : "scripts/cluster.sh needs nginx: apt-get install -y nginx";

    public static async Task<ClusterScript> StartAsync()
    {
        var directory = LocalServers.NewFolder("shop-cluster-test");
        // nginx, the instances, the emulator's API, SMTP and inbox pages, and PostgreSQL, one after the other.
        var firstPort = LocalServers.FreeConsecutivePorts(Instances + 5);
        var postgres = new Dictionary<string, string>
        {
            ["SHOP_POSTGRES_PORT"] = (firstPort + Instances + 4).ToString(CultureInfo.InvariantCulture),
            ["SHOP_POSTGRES_DIR"] = Path.Combine(directory, "postgres"),
        };
        var start = new ProcessStartInfo("setsid")
        {
            // setsid makes the script the leader of a new process group: Dispose stops the group, whatever it started.
            ArgumentList = { LocalServers.Script("cluster.sh"), Instances.ToString(CultureInfo.InvariantCulture) },
            WorkingDirectory = LocalServers.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ports = new Dictionary<string, int>
        {
            ["SHOP_CLUSTER_PORT"] = firstPort,
            ["SHOP_CLUSTER_INSTANCE_PORT"] = firstPort + 1,
            ["SHOP_CLUSTER_STRIPE_PORT"] = firstPort + Instances + 1,
            ["SHOP_CLUSTER_SMTP_PORT"] = firstPort + Instances + 2,
            ["SHOP_CLUSTER_INBOX_PORT"] = firstPort + Instances + 3,
        };
        foreach (var (name, port) in ports)
        {
            start.Environment[name] = port.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in postgres)
        {
            start.Environment[name] = value;
        }

        start.Environment["SHOP_CLUSTER_DIR"] = Path.Combine(directory, "cluster");
        // Offline mode is chosen by the absence of a Stripe key.
        start.Environment.Remove("Stripe__SecretKey");

        var script = Process.Start(start) ?? throw new InvalidOperationException("setsid scripts/cluster.sh did not start.");
        var cluster = new ClusterScript(script, directory, firstPort, postgres);
        script.OutputDataReceived += (_, line) => cluster.Record(line.Data);
        script.ErrorDataReceived += (_, line) => cluster.Record(line.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();

        var exited = script.WaitForExitAsync();
        await cluster.WaitForAsync(cluster._published.Task, exited, s_publishTimeout, "had not published the shop");
        await cluster.WaitForAsync(cluster._ready.Task, exited, s_startTimeout, "was not ready");
        return cluster;
    }

    private async Task WaitForAsync(Task line, Task exited, TimeSpan timeout, string failure)
    {
        var finished = await Task.WhenAny(line, exited, Task.Delay(timeout));
        if (finished != line)
        {
            var why = finished == exited ? $"exited with {_script.ExitCode}" : $"{failure} within {timeout}";
            var output = Output;
            await DisposeAsync();
            throw new InvalidOperationException($"scripts/cluster.sh {why}. Its output:\n{output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM to the group: the script's trap stops what it started (PostgreSQL through postgres.sh, which is in a
        // session of its own), and a step still in the foreground (dotnet publish) stops with it.
        Signal("TERM");
        using var stopping = new CancellationTokenSource(s_stopTimeout);
        try
        {
            await _script.WaitForExitAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
            Signal("KILL");
            await _script.WaitForExitAsync();
        }

        // The script stops its PostgreSQL itself; a script killed before its trap ran could not.
        await LocalServers.RunAsync(LocalServers.Script("postgres.sh"), ["stop"], _postgres);
        var leftOver = await WaitForGroupToEndAsync();
        _script.Dispose();
        KeepLogs();
        Directory.Delete(_directory, recursive: true);
        if (leftOver)
        {
            throw new InvalidOperationException("scripts/cluster.sh left processes running after SIGTERM; they were killed. Its output:\n" + Output);
        }
    }

    /// <summary>The last run's logs (every instance, the emulator, nginx, PostgreSQL) stay in the test output, for a failure.</summary>
    private void KeepLogs()
    {
        var kept = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "cluster-logs"));
        foreach (var log in Directory.EnumerateFiles(_directory, "*.log", SearchOption.AllDirectories))
        {
            File.Copy(log, Path.Combine(kept.FullName, Path.GetFileName(log)), overwrite: true);
        }
    }

    /// <summary>Whether a process of the script's group outlived it (and had to be killed).</summary>
    private async Task<bool> WaitForGroupToEndAsync()
    {
        var deadline = DateTimeOffset.UtcNow + s_stopTimeout;
        while (Signal("0"))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Signal("KILL");
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == PublishedLine)
        {
            _published.TrySetResult();
        }
        else if (line == ReadyLine)
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>Sends a signal to the script's process group; false when no process of the group is left.</summary>
    private bool Signal(string signal)
    {
        var start = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-" + signal);
        start.ArgumentList.Add("--");
        start.ArgumentList.Add("-" + _scriptId.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(start)!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
