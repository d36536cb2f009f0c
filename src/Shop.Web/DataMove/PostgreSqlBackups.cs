using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>
/// `db backup FILE` and `db restore FILE` for a shop on PostgreSQL, with the server's own major version of pg_dump,
/// pg_restore and psql. A backup is pg_dump's custom format, taken from a snapshot the command exports (so the orders it
/// counts are the ones in the file) while the shop goes on writing. A restore replaces every table of the shop's schema
/// in one psql transaction, with the shop stopped: a restore that fails leaves the database as it was.
/// </summary>
public sealed class PostgreSqlBackups(ShopDbContext db, TextWriter output) : IShopBackups
{
    // Run before the restored script, in its transaction: tables a later migration added would otherwise stay behind.
    private const string DropShopTables = """
        DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = current_schema() LOOP
            EXECUTE 'DROP TABLE IF EXISTS ' || t || ' CASCADE';
          END LOOP;
        END $$
        """;

    public async Task<int> BackupAsync(string file, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(file);
        if (File.Exists(path))
        {
            return await output.SayAsync(BackupSchema.AlreadyExists(path), 1);
        }

        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        var (tools, away) = await OpenAsync(connection, cancellationToken);
        if (tools is null)
        {
            return await output.SayAsync($"{away} No backup was written.", 1);
        }

        if (await Scalar(connection, "SELECT to_regclass('\"__EFMigrationsHistory\"') IS NULL OR to_regclass('\"Orders\"') IS NULL", cancellationToken) is true)
        {
            return await output.SayAsync("The shop's database holds no shop yet (no migrations): start the shop once on it, which migrates it. No backup was written.", 1);
        }

        // pg_dump reads the snapshot this transaction exports: the orders counted here are the ones in the file.
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var snapshotId = (string)(await Scalar(connection, "SELECT pg_export_snapshot()", cancellationToken))!;
        var orders = Convert.ToInt64(await Scalar(connection, "SELECT COUNT(*) FROM \"Orders\"", cancellationToken), CultureInfo.InvariantCulture);
        var migration = (string?)await Scalar(connection, "SELECT MAX(\"MigrationId\") FROM \"__EFMigrationsHistory\"", cancellationToken) ?? "none";

        // Written under another name and moved when complete: a dump cut short never looks like a backup.
        var partial = path + ".partial";
        var dump = await tools.RunAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", $"--snapshot={snapshotId}", $"--file={partial}"],
            null, cancellationToken);
        if (dump.ExitCode != 0)
        {
            File.Delete(partial);
            return await output.SayAsync($"pg_dump failed ({dump.Errors.Trim()}). No backup was written.", 1);
        }

        File.Move(partial, path);
        return await output.SayAsync(BackupSchema.BackedUp(path, orders, migration), 0);
    }

    public async Task<int> RestoreAsync(string file, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(file);
        if (await FormatRefusalAsync(path, cancellationToken) is { } notABackup)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, notABackup), 1);
        }

        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        var (tools, away) = await OpenAsync(connection, cancellationToken);
        if (tools is null)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, away!), 1);
        }

        var history = await tools.RunAsync("pg_restore", ["--data-only", "--table=__EFMigrationsHistory", "--file=-", path], null, cancellationToken);
        if (history.ExitCode != 0)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, $"pg_restore cannot read it ({history.Errors.Trim()})."), 1);
        }

        var applied = MigrationIds(history.Output);
        if (BackupSchema.Refusal(applied, db) is { } refused)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, refused), 1);
        }

        var restore = await tools.RunAsync("psql",
            ["--no-psqlrc", "--quiet", "--output=/dev/null", "--set=ON_ERROR_STOP=1", "--single-transaction", $"--command={DropShopTables}", "--file=-"],
            new Tools.Piped("pg_restore", ["--no-owner", "--no-privileges", "--file=-", path]), cancellationToken);
        if (restore.ExitCode != 0)
        {
            return await output.SayAsync(BackupSchema.NotRestored(path, $"psql failed ({restore.Errors.Trim()}); it ran in one transaction."), 1);
        }

        var orders = Convert.ToInt64(await Scalar(connection, "SELECT COUNT(*) FROM \"Orders\"", cancellationToken), CultureInfo.InvariantCulture);
        return await output.SayAsync(BackupSchema.Restored(path, orders, applied[^1]), 0);
    }

    /// <summary>Why the file is not a pg_dump custom-format archive, or null when it is.</summary>
    private static async Task<string?> FormatRefusalAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return "there is no such file.";
        }

        var header = await BackupSchema.HeaderAsync(path, cancellationToken);
        if (header.AsSpan().StartsWith(BackupSchema.SqliteHeader))
        {
            return "it is a backup of a shop on SQLite, and this shop runs on PostgreSQL: restore it into a shop on SQLite, then move that with db copy --to.";
        }

        return header.AsSpan().StartsWith(BackupSchema.PostgreSqlHeader)
            ? null
            : "it is not a PostgreSQL backup (db backup writes pg_dump's custom format, which starts with PGDMP).";
    }

    /// <summary>The first column of the COPY block that pg_restore prints for __EFMigrationsHistory.</summary>
    private static List<string> MigrationIds(string script)
    {
        var ids = new List<string>();
        var inCopy = false;
        foreach (var line in script.Split('\n'))
        {
            if (line.StartsWith("COPY ", StringComparison.Ordinal))
            {
                inCopy = true;
            }
            else if (line == "\\.")
            {
                inCopy = false;
            }
            else if (inCopy)
            {
                ids.Add(line.Split('\t')[0]);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Opens the connection and finds the tools of the server's major version; or says why it cannot.</summary>
    private async Task<(Tools? Tools, string? Refusal)> OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            var where = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
            return (null, $"PostgreSQL at {where.Host}:{where.Port}, database \"{where.Database}\" cannot be reached: {ex.Message}.");
        }

        var major = connection.PostgreSqlVersion.Major;
        return Tools.Find(major, db.Database.GetConnectionString()!) is { } tools ? (tools, null) : (null, Tools.Missing(major));
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>pg_dump, pg_restore and psql of one major version, run against the shop's database.</summary>
    private sealed class Tools(string directory, Dictionary<string, string> environment)
    {
        public sealed record Piped(string Tool, string[] Arguments);

        public sealed record Result(int ExitCode, string Output, string Errors);

        /// <summary>As scripts/postgres.sh finds the server: Debian's /usr/lib/postgresql/MAJOR/bin, else the PATH's if it is that major.</summary>
        public static Tools? Find(int major, string connectionString)
        {
            var debian = $"/usr/lib/postgresql/{major}/bin";
            var directory = File.Exists(Path.Combine(debian, "pg_dump")) ? debian : OnPath("pg_dump", major);
            return directory is null ? null : new Tools(directory, Environment(connectionString));
        }

        public static string Missing(int major) =>
            $"The server runs PostgreSQL {major}, and no pg_dump of that version was found (in /usr/lib/postgresql/{major}/bin or on the PATH). " +
            $"Install its client tools, for example: sudo apt-get install -y postgresql-client-{major}. Nothing was changed.";

        public async Task<Result> RunAsync(string tool, string[] arguments, Piped? input, CancellationToken cancellationToken)
        {
            using var process = Start(tool, arguments, redirectInput: input is not null);
            using var feeder = input is null ? null : Start(input.Tool, input.Arguments, redirectInput: false);
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var feederErrors = feeder?.StandardError.ReadToEndAsync(cancellationToken);
            // A command cancelled half way ends its processes; the server rolls back what psql had not committed.
            await using var cancelled = cancellationToken.Register(() =>
            {
                process.Kill();
                feeder?.Kill();
            });
            if (feeder is not null)
            {
                await feeder.StandardOutput.BaseStream.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                await feeder.WaitForExitAsync(cancellationToken);
                // psql would commit a script cut short at its end of input: when pg_restore failed, psql is ended instead.
                if (feeder.ExitCode == 0)
                {
                    process.StandardInput.Close();
                }
                else
                {
                    process.Kill();
                }
            }

            await process.WaitForExitAsync(cancellationToken);
            var allErrors = await errors + (feederErrors is null ? "" : await feederErrors);
            var exitCode = feeder is { ExitCode: not 0 } ? feeder.ExitCode : process.ExitCode;
            return new Result(exitCode, await output, allErrors);
        }

        private Process Start(string tool, string[] arguments, bool redirectInput)
        {
            var start = new ProcessStartInfo(Path.Combine(directory, tool), arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = redirectInput,
                UseShellExecute = false,
            };
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            return Process.Start(start)!;
        }

        /// <summary>The connection as libpq's variables: the password stays out of the command line.</summary>
        private static Dictionary<string, string> Environment(string connectionString)
        {
            var postgres = new NpgsqlConnectionStringBuilder(connectionString);
            var variables = new Dictionary<string, string>
            {
                ["PGHOST"] = postgres.Host ?? "localhost",
                ["PGPORT"] = postgres.Port.ToString(CultureInfo.InvariantCulture),
                ["PGDATABASE"] = postgres.Database ?? "",
                ["PGCONNECT_TIMEOUT"] = Math.Max(2, postgres.Timeout).ToString(CultureInfo.InvariantCulture),
            };
            if (postgres.Username is { } user)
            {
                variables["PGUSER"] = user;
            }

            if (postgres.Password is { } password)
            {
                variables["PGPASSWORD"] = password;
            }

            if (postgres.SslMode != SslMode.Prefer)
            {
                variables["PGSSLMODE"] = postgres.SslMode.ToString().ToLowerInvariant().Replace("verify", "verify-", StringComparison.Ordinal);
            }

            return variables;
        }

        private static string? OnPath(string tool, int major)
        {
            foreach (var folder in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(folder, tool);
                if (!File.Exists(candidate))
                {
                    continue;
                }

                using var process = Process.Start(new ProcessStartInfo(candidate, ["--version"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
                var version = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
                var number = version.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) ?? "";
                return number.Split('.')[0] == major.ToString(CultureInfo.InvariantCulture) ? folder : null;
            }

            return null;
        }
    }
}
