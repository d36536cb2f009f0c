using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Shop.Tests;

/// <summary>The shop's own process started with settings missing, as an operator starts it.</summary>
public sealed class ConfigurationErrorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("shop-config-").FullName;

    [Fact]
    public async Task A_production_start_with_several_keys_missing_names_them_all_at_once_and_exits_with_1()
    {
        var (exitCode, output, errors) = await StartShopAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Shop"] = $"Data Source={Path.Combine(_folder, "shop.db")}",
            ["Stripe__SecretKey"] = "sk_test_for_a_start_that_fails",
            ["Stripe__PublishableKey"] = "pk_test_for_a_start_that_fails",
            ["Stripe__WebhookSecret"] = "whsec_for_a_start_that_fails",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Shop:PublicBaseUrl is required in Production, for example \"https://shop.example.com\"", errors, StringComparison.Ordinal);
        Assert.Contains("Smtp:Host is required in Production, for example smtp.example.com", errors, StringComparison.Ordinal);
        Assert.Contains("Smtp:From:Address is required in Production, for example shop@example.com", errors, StringComparison.Ordinal);
        Assert.StartsWith("The shop cannot start; fix these 3 settings:", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors + output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_the_shop_reads_is_in_the_example_file_and_the_readme_table()
    {
        using var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(LocalServers.RepositoryRoot, "appsettings.Example.json")));
        var readmeRows = File.ReadAllLines(Path.Combine(LocalServers.RepositoryRoot, "README.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        var keys = SettingKeys().ToList();

        Assert.Contains("Reconciliation:CatchUpInterval", keys);
        Assert.DoesNotContain(keys, key => !InExample(example.RootElement, key));
        Assert.DoesNotContain(keys, key => !InReadme(readmeRows, key));
    }

    // Telemetry:Enabled is left out of the example on purpose (README says why); Database:ConnectionString is ConnectionStrings:Shop.
    private static readonly string[] s_notInExample = ["Telemetry:Enabled", "Database:ConnectionString"];

    /// <summary>"Section:Key" for every settable property of every options class (one with a SectionName), nested ones included.</summary>
    private static IEnumerable<string> SettingKeys() =>
        typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(o => o.Section is not null)
            .SelectMany(o => Keys(o.Type, o.Section!))
            .Where(key => !s_notInExample.Contains(key));

    private static IEnumerable<string> Keys(Type type, string prefix) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .SelectMany(p => p.PropertyType.IsClass && p.PropertyType.Namespace!.StartsWith("Shop.", StringComparison.Ordinal)
                ? Keys(p.PropertyType, $"{prefix}:{p.Name}")
                : [$"{prefix}:{p.Name}"]);

    private static bool InExample(JsonElement root, string key) =>
        key.Split(':').Aggregate((JsonElement?)root, (node, name) => node is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var child) ? child : null) is not null;

    /// <summary>A row naming the key in full, or a row of its section naming it as ":Key" after the first.</summary>
    private static bool InReadme(List<string> rows, string key)
    {
        var section = key[..key.IndexOf(':', StringComparison.Ordinal)];
        var rest = key[section.Length..];
        return rows.Any(row => row.Contains($"`{key}`", StringComparison.Ordinal)
            || (row.StartsWith($"| `{section}:", StringComparison.Ordinal) && row.Contains($"`{rest}`", StringComparison.Ordinal)));
    }

    /// <summary>Runs Shop.Web.dll (built beside the tests) from an empty folder, so only these settings apply.</summary>
    private async Task<(int ExitCode, string Output, string Errors)> StartShopAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Shop.Web.dll"));
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet Shop.Web.dll did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The shop did not exit within 2 minutes; it printed:\n{await output}\n{await errors}");
        }

        return (process.ExitCode, await output, await errors);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
