using System.Diagnostics;
using System.Globalization;

namespace Shop.Benchmarks;

/// <summary>
/// How fast this machine's disk makes a small write durable, measured where the benchmark's databases live. A durable
/// commit costs at least one of these, so results from machines with different disks are compared through this figure.
/// </summary>
public sealed record DiskSync(double MedianMs, double P99Ms)
{
    public static DiskSync Measure(string directory, int writes = 300)
    {
        var path = Path.Combine(directory, "fsync-probe");
        var block = new byte[4096];
        var timings = new List<double>(writes);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            for (var i = 0; i < writes; i++)
            {
                var started = Stopwatch.GetTimestamp();
                file.Write(block);
                file.Flush(flushToDisk: true); // fsync(2)
                timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        File.Delete(path);
        return new DiskSync(Stats.Percentile(timings, 50), Stats.Percentile(timings, 99));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"fsync of an appended 4 KB block: median {MedianMs:N2} ms ({1000 / MedianMs:N0}/s), p99 {P99Ms:N2} ms");
}
