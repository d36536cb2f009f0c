using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Shop.Web.Data;

/// <summary>What each provider's errors mean to the shop, so features need not know SQLite's and PostgreSQL's codes.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// Another writer got there first: a row changed since it was read (its concurrency token) or a key was taken. Read
    /// again and retry: the retry finds the other writer's work.
    /// </summary>
    public static bool IsLostRace(Exception ex) => ex is DbUpdateConcurrencyException || IsUniqueViolation(ex);

    /// <summary>A primary key or unique index was already taken: on a retry the row is found as another writer left it.</summary>
    public static bool IsUniqueViolation(Exception ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 1555 or 2067, // SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        DbException => false,
        _ => ex.InnerException is { } inner && IsUniqueViolation(inner),
    };
}
