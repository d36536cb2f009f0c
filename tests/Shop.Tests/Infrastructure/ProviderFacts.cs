namespace Shop.Tests.Infrastructure;

/// <summary>A test of SQLite itself: skipped when the run is on PostgreSQL (SHOP_TEST_DATABASE).</summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestDatabase.UsesPostgreSql)
        {
            Skip = "a test of SQLite; this run is on PostgreSQL";
        }
    }
}

/// <summary>A test of several instances on one PostgreSQL database: skipped unless the run is on PostgreSQL.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (!TestDatabase.UsesPostgreSql)
        {
            Skip = $"needs PostgreSQL: run with {TestDatabase.ProviderVariable}=PostgreSql (scripts/test.sh does)";
        }
    }
}
