using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Shop.Web.Data;

/// <summary>The "Database" section: which database the shop runs on. The connection string is ConnectionStrings:Shop.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary><c>Sqlite</c> (the default: one process, a file) or <c>PostgreSql</c> (several instances on one server).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>ConnectionStrings:Shop, copied here so the section's validation can check it against the provider.</summary>
    public string? ConnectionString { get; set; }

    public bool UsesPostgreSql => string.Equals(Provider, PostgreSql, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and checks the settings while services are registered: the provider decides what is registered.</summary>
    public static DatabaseOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString = configuration.GetConnectionString(DataExtensions.ConnectionStringName);
        var result = new Validator().Validate(null, options);
        return result.Failed ? throw new OptionsValidationException(SectionName, typeof(DatabaseOptions), result.Failures) : options;
    }

    public sealed class Validator : IValidateOptions<DatabaseOptions>
    {
        private const string Key = $"ConnectionStrings:{DataExtensions.ConnectionStringName}";

        public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
        {
            if (!string.Equals(options.Provider, Sqlite, StringComparison.OrdinalIgnoreCase) && !options.UsesPostgreSql)
            {
                return ValidateOptionsResult.Fail($"Database:Provider must be \"{Sqlite}\" or \"{PostgreSql}\"; it is \"{options.Provider}\".");
            }

            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                return ValidateOptionsResult.Fail(options.UsesPostgreSql
                    ? $"{Key} is missing. Set it to a PostgreSQL connection string, for example \"Host=127.0.0.1;Port=5432;Username=shop;Password=...;Database=shop\" (scripts/postgres.sh url prints one)."
                    : $"{Key} is missing. Set it in appsettings.json, for example \"Data Source=App_Data/shop.db\".");
            }

            return options.UsesPostgreSql ? ValidatePostgreSql(options.ConnectionString) : ValidateSqlite(options.ConnectionString);
        }

        private static ValidateOptionsResult ValidateSqlite(string connectionString)
        {
            try
            {
                _ = new SqliteConnectionStringBuilder(connectionString);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail(
                    $"{Key} is not a SQLite connection string ({ex.Message}). Database:Provider is \"{Sqlite}\"; for PostgreSQL set Database:Provider to \"{PostgreSql}\".");
            }
        }

        private static ValidateOptionsResult ValidatePostgreSql(string connectionString)
        {
            NpgsqlConnectionStringBuilder postgres;
            try
            {
                postgres = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail(
                    $"{Key} is not a PostgreSQL connection string ({ex.Message}). Database:Provider is \"{PostgreSql}\"; a SQLite file needs Database:Provider \"{Sqlite}\".");
            }

            return string.IsNullOrWhiteSpace(postgres.Host)
                ? ValidateOptionsResult.Fail($"{Key} names no PostgreSQL server: add Host=..., for example \"Host=127.0.0.1;Port=5432;Username=shop;Password=...;Database=shop\".")
                : ValidateOptionsResult.Success;
        }
    }
}
