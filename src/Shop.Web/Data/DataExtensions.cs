using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Shop.Web.Data;

public static class DataExtensions
{
    public const string ConnectionStringName = "Shop";

    public static IHostApplicationBuilder AddShopData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(ConnectionStringName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptions.Validator>();

        // The provider decides which context type (and so which migrations) is registered, so it is read and checked now.
        var database = DatabaseOptions.Read(builder.Configuration);
        // `ids.Contains(x)` sends the list as one parameter (json_each on SQLite, an array on PostgreSQL). EF Core 10's
        // default, one parameter per element, makes EF generate the SQL again on every execution: a fifth of the event
        // writer's CPU at one event per batch (docs/benchmarks.md, step 15).
        const ParameterTranslationMode lists = ParameterTranslationMode.Parameter;
        if (database.UsesPostgreSql)
        {
            var connectionString = PostgreSqlConnectionString(database.ConnectionString!);
            // Options built once, not per request: rebuilding them made every context look up EF's internal services anew,
            // a quarter of a millisecond per webhook batch (docs/benchmarks.md).
            builder.Services.AddDbContext<ShopDbContext, PostgreSqlShopDbContext>(
                options => options.UseNpgsql(connectionString, npgsql => npgsql.UseParameterizedCollectionMode(lists)), optionsLifetime: ServiceLifetime.Singleton);
            builder.Services.PostConfigure<DatabaseOptions>(options => options.ConnectionString = connectionString);
        }
        else
        {
            var connectionString = SqliteConnectionString(database.ConnectionString!, builder.Environment.ContentRootPath);
            builder.Services.AddSingleton<SqliteDurabilityInterceptor>();
            builder.Services.AddSingleton<SqliteCheckpointer>();
            builder.Services.AddDbContext<ShopDbContext, SqliteShopDbContext>(
                (services, options) => options
                    .UseSqlite(connectionString, sqlite => sqlite.UseParameterizedCollectionMode(lists))
                    .AddInterceptors(services.GetRequiredService<SqliteDurabilityInterceptor>(), services.GetRequiredService<SqliteCheckpointer>()),
                optionsLifetime: ServiceLifetime.Singleton);
            builder.Services.PostConfigure<DatabaseOptions>(options => options.ConnectionString = connectionString);
        }

        builder.Services.AddSingleton<DatabaseLocks>();
        // Registered before the web server's own hosted service, so the schema is ready before the first request.
        builder.Services.AddHostedService<DatabaseInitializer>();
        if (!database.UsesPostgreSql)
        {
            // After the initializer: the file is migrated and in WAL mode before the first checkpoint.
            builder.Services.AddHostedService(services => services.GetRequiredService<SqliteCheckpointer>());
        }

        return builder;
    }

    /// <summary>A relative file path is made relative to the content root, so `dotnet run` from any folder finds the same file.</summary>
    public static string SqliteConnectionString(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(sqlite.DataSource) && sqlite.DataSource != ":memory:")
        {
            var path = Path.GetFullPath(sqlite.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            sqlite.DataSource = path;
        }

        return sqlite.ConnectionString;
    }

    /// <summary>
    /// Npgsql's pooling as chosen for a shop whose database may restart under it, where the connection string does not say
    /// otherwise. A connection broken by a restart fails the one command that uses it (a webhook answers 503 and Stripe
    /// retries; a worker backs off) and is dropped from the pool; the next open connects anew, so the shop recovers
    /// without a restart. There are no automatic retries (EF's EnableRetryOnFailure): they cannot re-run the event writer's
    /// explicit transactions, and the callers' own retries (Stripe's, the workers' backoff) already are the right ones.
    /// </summary>
    public static string PostgreSqlConnectionString(string connectionString)
    {
        var postgres = new NpgsqlConnectionStringBuilder(connectionString);
        // Fail in seconds, not the default 15, when the server is away: a webhook must answer 503 well within Stripe's wait.
        SetUnlessGiven(postgres, "Timeout", 5);
        // Probe idle connections, so those a restart broke are found and dropped while idle, not by the next request.
        SetUnlessGiven(postgres, "Keepalive", 10);
        // Several instances share the server's max_connections (100 by default): each keeps to a share of it.
        SetUnlessGiven(postgres, "Maximum Pool Size", 30);
        return postgres.ConnectionString;
    }

    private static void SetUnlessGiven(NpgsqlConnectionStringBuilder builder, string keyword, int value)
    {
        if (!builder.ContainsKey(keyword))
        {
            builder[keyword] = value;
        }
    }
}
