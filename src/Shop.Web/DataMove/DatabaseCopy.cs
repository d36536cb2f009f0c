using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>
/// `db copy --to CONNECTION`: copies the shop's database (the configured one, normally SQLite) into an empty PostgreSQL
/// database, keeping every id and timestamp. The source is read inside one write transaction (on SQLite, BEGIN IMMEDIATE):
/// a consistent snapshot, and a shop still running on it can read but not write until the copy ends. The target's rows
/// are written in one transaction too: a copy that fails or is killed half way leaves the target migrated and empty, and
/// the next run starts it again from the beginning (README, "Moving a SQLite shop to PostgreSQL").
/// </summary>
public sealed class DatabaseCopy(ShopDbContext source, TextWriter output, int batchRows = DatabaseCopy.DefaultBatchRows)
{
    public const int DefaultBatchRows = 1000;

    // PostgreSQL takes at most 65,535 parameters in one statement.
    private const int MaxParameters = 30_000;

    /// <returns>0 copied and checked, 1 refused or failed (and why is written).</returns>
    public async Task<int> RunAsync(string targetConnectionString, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder postgres;
        try
        {
            postgres = new NpgsqlConnectionStringBuilder(targetConnectionString);
        }
        catch (ArgumentException ex)
        {
            return await RefuseAsync($"--to is not a PostgreSQL connection string ({ex.Message}). Example: \"Host=127.0.0.1;Port=5432;Username=shop;Password=...;Database=shop\".");
        }

        if (string.IsNullOrWhiteSpace(postgres.Host) || string.IsNullOrWhiteSpace(postgres.Database))
        {
            return await RefuseAsync("--to must name a server and a database: \"Host=...;Database=...\".");
        }

        if (await SourceRefusalAsync(cancellationToken) is { } sourceRefused)
        {
            return await RefuseAsync(sourceRefused);
        }

        await using var target = new PostgreSqlShopDbContext(new DbContextOptionsBuilder<PostgreSqlShopDbContext>()
            .UseNpgsql(DataExtensions.PostgreSqlConnectionString(postgres.ConnectionString)).Options);
        var where = $"PostgreSQL at {postgres.Host}:{postgres.Port}, database \"{postgres.Database}\"";
        try
        {
            if (await TargetRefusalAsync(target, cancellationToken) is { } targetRefused)
            {
                return await RefuseAsync($"{where}: {targetRefused} Nothing was changed.");
            }
        }
        catch (DbException ex)
        {
            return await RefuseAsync($"{where} cannot be reached: {ex.Message}. Nothing was changed.");
        }

        try
        {
            await output.WriteLineAsync($"Migrating {where} to the shop's schema...");
            await target.Database.MigrateAsync(cancellationToken);
            var sums = await CopyAsync(target, cancellationToken);
            return await ReportAsync(sums);
        }
        catch (DbException ex)
        {
            return await RefuseAsync($"The copy to {where} failed: {ex.Message}. The target holds no copied rows (they are written in " +
                "one transaction); run the same command again to start the copy anew.");
        }
    }

    private async Task<string?> SourceRefusalAsync(CancellationToken cancellationToken)
    {
        var known = source.Database.GetMigrations().ToList();
        var applied = (await source.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        if (applied.Except(known).ToList() is [var newer, ..])
        {
            return $"The shop's database has migration {newer}, which this version of the shop does not know: it is ahead of the code. Copy it with the version that wrote it.";
        }

        return known.Except(applied).ToList() is { Count: > 0 } pending
            ? $"The shop's database is behind the code ({pending.Count} migration(s) not applied, the first {pending[0]}): start the shop once on it, which migrates it, then copy."
            : null;
    }

    private static async Task<string?> TargetRefusalAsync(PostgreSqlShopDbContext target, CancellationToken cancellationToken)
    {
        var known = target.Database.GetMigrations().ToList();
        var applied = (await target.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        if (applied.Except(known).ToList() is [var newer, ..])
        {
            return $"it has migration {newer}, which this version of the shop does not know.";
        }

        await target.Database.OpenConnectionAsync(cancellationToken);
        var tables = new ShopTables(target);
        if (applied.Count == 0)
        {
            await using var others = tables.Command(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '__EFMigrationsHistory'");
            var count = Convert.ToInt64(await others.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            return count > 0 ? $"it holds {count} table(s) but no shop migrations: copy into a new, empty database." : null;
        }

        foreach (var table in tables.Tables)
        {
            // A table that a later migration adds is not there yet on a target that is behind.
            await using var exists = tables.Command("SELECT to_regclass(@name) IS NOT NULL");
            exists.Parameters.Add(new NpgsqlParameter("name", tables.Quote(table.Name)));
            if (await exists.ExecuteScalarAsync(cancellationToken) is true)
            {
                await using var rows = tables.Command($"SELECT EXISTS (SELECT 1 FROM {tables.Quote(table.Name)})");
                if (await rows.ExecuteScalarAsync(cancellationToken) is true)
                {
                    return $"it already holds shop data (table {table.Name} has rows). Copy into a new, empty database " +
                        "(createdb, or DROP DATABASE and CREATE DATABASE if this one is a copy you mean to replace).";
                }
            }
        }

        return null;
    }

    private async Task<List<(TableSum Source, TableSum Target)>> CopyAsync(PostgreSqlShopDbContext target, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE on SQLite: a snapshot that no writer changes while it is read.
        await using var snapshot = await source.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        await using var copying = await target.Database.BeginTransactionAsync(cancellationToken);
        var from = new ShopTables(source);
        var to = new ShopTables(target);

        var plan = new List<(ITable From, ITable To, string[] Columns, long Rows)>();
        foreach (var table in to.Tables)
        {
            var sourceTable = from.Table(table.Name);
            var columns = table.Columns.Select(c => c.Name).ToArray();
            plan.Add((sourceTable, table, columns, await from.CountAsync(sourceTable, cancellationToken)));
        }

        var total = plan.Sum(p => p.Rows);
        long done = 0;
        foreach (var (sourceTable, targetTable, columns, rows) in plan)
        {
            var batch = new List<object?[]>();
            long copied = 0;
            var perStatement = Math.Max(1, Math.Min(batchRows, MaxParameters / columns.Length));
            await foreach (var row in from.ReadAsync(sourceTable, columns, cancellationToken))
            {
                batch.Add(row);
                if (batch.Count == perStatement)
                {
                    await InsertAsync(to, targetTable, columns, batch, cancellationToken);
                    copied += batch.Count;
                    done += batch.Count;
                    batch.Clear();
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  {targetTable.Name}: {copied:N0} / {rows:N0} rows (all tables: {done:N0} / {total:N0})"));
                }
            }

            await InsertAsync(to, targetTable, columns, batch, cancellationToken);
            copied += batch.Count;
            done += batch.Count;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {targetTable.Name}: {copied:N0} rows copied (all tables: {done:N0} / {total:N0})"));
        }

        await MoveIdentitySequencesAsync(to, cancellationToken);

        var sums = new List<(TableSum, TableSum)>();
        foreach (var (sourceTable, targetTable, columns, _) in plan)
        {
            sums.Add((await from.SumAsync(sourceTable, columns, cancellationToken), await to.SumAsync(targetTable, columns, cancellationToken)));
        }

        // Committed only when every table matches: a copy that differs leaves the target empty.
        if (sums.All(s => s.Item1 == s.Item2))
        {
            await copying.CommitAsync(cancellationToken);
        }

        return sums;
    }

    private static async Task InsertAsync(ShopTables to, ITable table, string[] columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var mappings = ShopTables.Mappings(table, columns);
        await using var command = to.Command("");
        var values = new List<string>(rows.Count);
        foreach (var row in rows)
        {
            var names = new string[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                names[i] = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                command.Parameters.Add(mappings[i].CreateParameter(command, names[i], row[i], nullable: true));
            }

            values.Add("(" + string.Join(", ", names) + ")");
        }

        command.CommandText = $"INSERT INTO {to.Quote(table.Name)} ({string.Join(", ", columns.Select(to.Quote))}) VALUES {string.Join(", ", values)}";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Identity columns were given the copied ids; their sequences start after the largest, or new rows would collide.</summary>
    private static async Task MoveIdentitySequencesAsync(ShopTables to, CancellationToken cancellationToken)
    {
        var identities = new List<(string Table, string Column)>();
        await using (var find = to.Command(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'"))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                identities.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (table, column) in identities)
        {
            await using var move = to.Command(
                $"SELECT setval(pg_get_serial_sequence(@table, @column), COALESCE(MAX({to.Quote(column)}), 0) + 1, false) FROM {to.Quote(table)}");
            move.Parameters.Add(new NpgsqlParameter("table", to.Quote(table)));
            move.Parameters.Add(new NpgsqlParameter("column", column));
            await move.ExecuteScalarAsync(cancellationToken);
        }
    }

    private async Task<int> ReportAsync(List<(TableSum Source, TableSum Target)> sums)
    {
        await output.WriteLineAsync($"{"table",-28} {"source rows",12} {"target rows",12}  checksums");
        foreach (var (from, to) in sums)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{from.Table,-28} {from.Rows,12:N0} {to.Rows,12:N0}  {(from == to ? "equal " + from.Checksum[..16] : $"DIFFER source {from.Checksum[..16]} target {to.Checksum[..16]}")}"));
        }

        if (sums.Any(s => s.Source != s.Target))
        {
            return await RefuseAsync("The target does not match the source; nothing was committed to it. Report this as a bug.");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Copied {sums.Sum(s => s.Target.Rows):N0} rows in {sums.Count} tables; counts and checksums are equal. Point the shop at the target (Database:Provider PostgreSql, ConnectionStrings:Shop) and start it."));
        return 0;
    }

    private async Task<int> RefuseAsync(string message)
    {
        await output.WriteLineAsync(message);
        return 1;
    }
}
