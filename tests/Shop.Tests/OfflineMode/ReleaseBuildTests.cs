using System.Text.Json;

namespace Shop.Tests.OfflineMode;

/// <summary>
/// Offline mode is compiled into Debug builds only, so a Release publish carries no fake Stripe. Asked of MSBuild's
/// evaluation of Shop.Web.csproj (seconds) rather than of a Release publish (minutes).
/// </summary>
public sealed class ReleaseBuildTests
{
    private const string Emulator = "../Shop.Emulator/Shop.Emulator.csproj";

    [Fact]
    public async Task A_release_build_neither_references_the_emulator_nor_compiles_the_offline_mode_host()
    {
        var release = await EvaluateAsync("Release");

        Assert.DoesNotContain(Emulator, release.ProjectReferences);
        Assert.DoesNotContain("OfflineMode/OfflineModeHost.cs", release.Compiled);
        Assert.DoesNotContain("OFFLINE_MODE", release.Constants);
    }

    [Fact]
    public async Task A_debug_build_references_the_emulator_and_compiles_the_offline_mode_host()
    {
        var debug = await EvaluateAsync("Debug");

        Assert.Contains(Emulator, debug.ProjectReferences);
        Assert.Contains("OfflineMode/OfflineModeHost.cs", debug.Compiled);
        Assert.Contains("OFFLINE_MODE", debug.Constants);
    }

    private sealed record Evaluation(IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> Compiled, IReadOnlyList<string> Constants);

    private static async Task<Evaluation> EvaluateAsync(string configuration)
    {
        var project = Path.Combine(LocalServers.RepositoryRoot, "src", "Shop.Web", "Shop.Web.csproj");
        var json = await LocalServers.RunAsync("dotnet",
            ["msbuild", project, $"-p:Configuration={configuration}", "-getItem:ProjectReference", "-getItem:Compile", "-getProperty:DefineConstants", "-nologo"],
            new Dictionary<string, string>());
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        List<string> Items(string type) => root.GetProperty("Items").TryGetProperty(type, out var items)
            ? items.EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!.Replace('\\', '/')).ToList()
            : [];

        return new Evaluation(Items("ProjectReference"), Items("Compile"),
            root.GetProperty("Properties").GetProperty("DefineConstants").GetString()!.Split(';'));
    }
}
