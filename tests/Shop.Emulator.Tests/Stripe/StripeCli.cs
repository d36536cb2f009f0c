using System.Diagnostics;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>
/// The official Stripe CLI (npm @stripe/cli, pinned), installed once into a cache folder with <c>npm install --prefix</c>.
/// Tests that need it use <see cref="StripeCliFactAttribute"/>, which skips them, saying why, where npm or the package is unavailable.
/// </summary>
public static class StripeCli
{
    public const string Version = "1.52.0";

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<(string? Path, string Reason)> s_installed = new(Install);

    public static string? Path => s_installed.Value.Path;

    public static string UnavailableReason => s_installed.Value.Reason;

    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException(UnavailableReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["STRIPE_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }

    private static (string?, string) Install()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shop-tests", "stripe-cli-" + Version);
        var binary = System.IO.Path.Combine(folder, "node_modules", ".bin", "stripe");
        if (File.Exists(binary))
        {
            return (binary, "");
        }

        try
        {
            Directory.CreateDirectory(folder);
            using var npm = Process.Start(new ProcessStartInfo("npm", ["install", "--prefix", folder, "--no-audit", "--no-fund", "@stripe/cli@" + Version])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = npm.StandardError.ReadToEndAsync();
            if (!npm.WaitForExit(s_installTimeout))
            {
                npm.Kill(entireProcessTree: true);
                return (null, $"npm install @stripe/cli@{Version} took longer than {s_installTimeout.TotalMinutes} minutes");
            }

            return File.Exists(binary) ? (binary, "") : (null, $"npm install @stripe/cli@{Version} failed: {output.Result}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "npm is not installed (Debian: apt-get install -y nodejs npm)");
        }
    }
}

/// <summary>A test that drives the real Stripe CLI; skipped, with the reason, where it cannot be installed.</summary>
public sealed class StripeCliFactAttribute : FactAttribute
{
    public StripeCliFactAttribute()
    {
        if (StripeCli.Path is null)
        {
            Skip = "Needs the Stripe CLI: " + StripeCli.UnavailableReason;
        }
    }
}
