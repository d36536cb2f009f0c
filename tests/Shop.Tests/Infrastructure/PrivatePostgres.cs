using System.Globalization;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own (scripts/postgres.sh on a free port, in a new folder), which the test may
/// restart without disturbing the server that every other test shares.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    private PrivatePostgres(string directory, Dictionary<string, string> environment, string connectionString)
    {
        _directory = directory;
        _environment = environment;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The shop's settings that point it at this server.</summary>
    public IDictionary<string, string?> ShopSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "PostgreSql",
        ["ConnectionStrings:Shop"] = ConnectionString,
    };

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = LocalServers.NewFolder("shop-private-postgres");
        var environment = new Dictionary<string, string>
        {
            ["SHOP_POSTGRES_PORT"] = LocalServers.FreeConsecutivePorts(1).ToString(CultureInfo.InvariantCulture),
            ["SHOP_POSTGRES_DIR"] = Path.Combine(directory, "server"),
        };
        var output = await LocalServers.RunAsync(LocalServers.Script("postgres.sh"), ["start"], environment);
        return new PrivatePostgres(directory, environment, output.Trim());
    }

    /// <summary>
    /// pg_ctl restart -m fast: every connection is cut and, for a moment, none is accepted. Returns once the server
    /// accepts connections again (-w).
    /// </summary>
    public Task RestartAsync()
    {
        var data = Path.Combine(_environment["SHOP_POSTGRES_DIR"], "data");
        string[] restart = [$"{Binaries}/pg_ctl", "-D", data, "-l", Path.Combine(_environment["SHOP_POSTGRES_DIR"], "server.log"), "-m", "fast", "-w", "-t", "30", "restart"];
        // pg_ctl refuses to run as root; postgres.sh runs the server as the postgres user.
        return Environment.UserName == "root"
            ? LocalServers.RunAsync("runuser", ["-u", "postgres", "--", .. restart], new Dictionary<string, string>())
            : LocalServers.RunAsync(restart[0], restart[1..], new Dictionary<string, string>());
    }

    public async ValueTask DisposeAsync()
    {
        await LocalServers.RunAsync(LocalServers.Script("postgres.sh"), ["stop"], _environment);
        Directory.Delete(_directory, recursive: true);
    }
}
