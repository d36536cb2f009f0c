using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Shop.Web.Data;

public static class DataExtensions
{
    public const string ConnectionStringName = "Shop";

    public static IHostApplicationBuilder AddShopData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(ConnectionStringName, typeof(string),
                [$"ConnectionStrings:{ConnectionStringName} is missing. Set it in appsettings.json, for example \"Data Source=App_Data/shop.db\"."]);
        }

        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(sqlite.DataSource) && sqlite.DataSource != ":memory:")
        {
            // A relative path is relative to the content root, so `dotnet run` from any folder finds the same file.
            var path = Path.GetFullPath(sqlite.DataSource, builder.Environment.ContentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            sqlite.DataSource = path;
        }

        builder.Services.AddSingleton<SqliteDurabilityInterceptor>();
        // Options built once, not per request: rebuilding them made every context look up EF's internal services anew,
        // a quarter of a millisecond per webhook batch (docs/benchmarks.md).
        builder.Services.AddDbContext<ShopDbContext>(
            (services, options) => options
                .UseSqlite(sqlite.ConnectionString)
                .AddInterceptors(services.GetRequiredService<SqliteDurabilityInterceptor>()),
            optionsLifetime: ServiceLifetime.Singleton);

        // Registered before the web server's own hosted service, so the schema is ready before the first request.
        builder.Services.AddHostedService<DatabaseInitializer>();
        return builder;
    }
}
