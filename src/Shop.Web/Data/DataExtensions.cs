using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.Catalog;

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
        builder.Services.AddDbContext<ShopDbContext>((services, options) => options
            .UseSqlite(sqlite.ConnectionString)
            .AddInterceptors(services.GetRequiredService<SqliteDurabilityInterceptor>()));
        return builder;
    }

    /// <summary>Applies pending migrations and seeds the demo catalog before the shop takes requests.</summary>
    public static async Task MigrateShopDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping);
        var shop = scope.ServiceProvider.GetRequiredService<IOptions<ShopOptions>>().Value;
        await CatalogSeed.SeedAsync(db, shop.Currency, app.Lifetime.ApplicationStopping);
    }
}
