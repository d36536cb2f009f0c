using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shop.Tests.Infrastructure;

/// <summary>What tests need to run the repository's scripts as processes: where they are, free ports, a run.</summary>
public static class LocalServers
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Script(string name) => Path.Combine(RepositoryRoot, "scripts", name);

    /// <summary>
    /// A new folder under /tmp that other users can enter. Not CreateTempSubdirectory: its folders are 0700, and
    /// PostgreSQL runs as the postgres user (postgres.sh), which must reach its own folder inside.
    /// </summary>
    public static string NewFolder(string prefix) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}")).FullName;

    /// <summary>
    /// The first of a block of free ports, below Linux's ephemeral range (32768 and up) so that no outgoing connection
    /// of another process takes one between this check and the server's start.
    /// </summary>
    public static int FreeConsecutivePorts(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(20_000, 32_000 - count);
            var listeners = new List<TcpListener>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
                // One of them is taken: try another block.
            }
            finally
            {
                listeners.ForEach(listener => listener.Stop());
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports between 20000 and 32000.");
    }

    /// <summary>Runs a command to its end; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}{await errors}");
        }

        return await output;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Shop.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Shop.sln above {AppContext.BaseDirectory}.");
    }
}
