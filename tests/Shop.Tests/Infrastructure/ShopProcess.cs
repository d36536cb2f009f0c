using System.Diagnostics;
using System.Globalization;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The shop as a process of its own (the build's Shop.Web.dll), with a HOME of its own: what a second machine or container
/// would have, where an in-process instance shares everything of the test's process (its home folder, its key ring).
/// </summary>
public sealed class ShopProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly string _home;

    private ShopProcess(Process process, string home, Uri url)
    {
        _process = process;
        _home = home;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The process's output so far, for failure messages.</summary>
    public string Log => File.Exists(LogPath(_home)) ? File.ReadAllText(LogPath(_home)) : "";

    /// <summary>Starts the shop with <paramref name="settings"/> (configuration keys, as environment variables) and waits until it serves.</summary>
    public static async Task<ShopProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var home = LocalServers.NewFolder("shop-home");
        var port = LocalServers.FreeConsecutivePorts(1);
        var url = new Uri($"http://127.0.0.1:{port}");
        var output = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(output, "Shop.Web.dll") },
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HOME"] = home;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet Shop.Web.dll did not start.");
        var shop = new ShopProcess(process, home, url);
        var log = new StreamWriter(LogPath(home)) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                return shop;
            }
            catch (HttpRequestException) when (!process.HasExited && deadline.Elapsed < s_startTimeout)
            {
                // Not listening yet: polled, since a process gives no other sign that its server is up.
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
            catch (HttpRequestException ex)
            {
                var why = process.HasExited ? $"exited with {process.ExitCode.ToString(CultureInfo.InvariantCulture)}" : $"did not answer within {s_startTimeout}";
                await shop.DisposeAsync();
                throw new InvalidOperationException($"The shop process {why}. Its output:\n{shop.Log}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private static string LogPath(string home) => Path.Combine(home, "shop.log");

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}
