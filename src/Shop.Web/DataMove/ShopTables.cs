using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>
/// Every table of the shop's EF model, read and compared generically: a table or column another feature adds is copied
/// and checked without an edit here. Values are read as the model's CLR values (through each column's own type mapping,
/// so SQLite's ticks and PostgreSQL's timestamptz both come back as the same DateTimeOffset).
/// </summary>
public sealed class ShopTables
{
    private readonly ShopDbContext _db;
    private readonly ISqlGenerationHelper _sql;

    public ShopTables(ShopDbContext db)
    {
        _db = db;
        _sql = db.GetService<ISqlGenerationHelper>();
        // Principals before dependents, so the target's foreign keys hold after every batch.
        Tables = InDependencyOrder(db.Model.GetRelationalModel().Tables.ToList());
    }

    public IReadOnlyList<ITable> Tables { get; }

    public DbConnection Connection => _db.Database.GetDbConnection();

    public DbTransaction? Transaction => _db.Database.CurrentTransaction?.GetDbTransaction();

    public string Quote(string identifier) => _sql.DelimitIdentifier(identifier);

    /// <summary>This context's table of the same name: both providers' models come from one ShopDbContext.</summary>
    public ITable Table(string name) => Tables.Single(t => t.Name == name);

    public async Task<long> CountAsync(ITable table, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT COUNT(*) FROM {Quote(table.Name)}");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>The table's rows as <see cref="Canonical"/> model values, in the order of <paramref name="columns"/>.</summary>
    public async IAsyncEnumerable<object?[]> ReadAsync(ITable table, IReadOnlyList<string> columns,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var mappings = Mappings(table, columns);
        var readers = mappings.Select(m => m.GetDataReaderMethod()).ToArray();
        await using var command = Command($"SELECT {string.Join(", ", columns.Select(Quote))} FROM {Quote(table.Name)}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                if (!await reader.IsDBNullAsync(i, cancellationToken))
                {
                    var stored = readers[i].Invoke(reader, [i]);
                    row[i] = Canonical(mappings[i].Converter is { } converter ? converter.ConvertFromProvider(stored) : stored);
                }
            }

            yield return row;
        }
    }

    /// <summary>The row count and an order-independent checksum of the table's rows (a sum of each row's SHA-256).</summary>
    public async Task<TableSum> SumAsync(ITable table, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        long rows = 0;
        UInt128 sum = 0;
        await foreach (var row in ReadAsync(table, columns, cancellationToken))
        {
            rows++;
            sum += RowHash(row);
        }

        return new TableSum(table.Name, rows, sum.ToString("x32", CultureInfo.InvariantCulture));
    }

    /// <summary>Each column's type mapping: how its values are read, converted and passed as parameters.</summary>
    public static RelationalTypeMapping[] Mappings(ITable table, IReadOnlyList<string> columns) =>
        columns.Select(c => table.FindColumn(c)!.PropertyMappings[0].TypeMapping).ToArray();

    public DbCommand Command(string text)
    {
        var command = Connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = Transaction;
        command.CommandTimeout = 0;
        return command;
    }

    /// <summary>
    /// A value as both providers can hold it: instants in UTC to the microsecond, PostgreSQL's precision (SQLite keeps
    /// .NET's 100 ns ticks, which the copy would otherwise round and the checksum then report as different).
    /// </summary>
    public static object? Canonical(object? value) => value is DateTimeOffset instant
        ? new DateTimeOffset(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero)
        : value;

    private static UInt128 RowHash(object?[] row)
    {
        var text = new StringBuilder();
        foreach (var value in row)
        {
            var item = value switch
            {
                null => "\u0000",
                DateTimeOffset instant => instant.UtcTicks.ToString(CultureInfo.InvariantCulture),
                byte[] bytes => Convert.ToBase64String(bytes),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
            };
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            text.Append(item.Length).Append(':').Append(item);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return BitConverter.ToUInt128(hash);
    }

    private static List<ITable> InDependencyOrder(List<ITable> tables)
    {
        var ordered = new List<ITable>();
        var visiting = new HashSet<ITable>();
        foreach (var table in tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            Visit(table);
        }

        return ordered;

        void Visit(ITable table)
        {
            if (ordered.Contains(table) || !visiting.Add(table))
            {
                return;
            }

            foreach (var key in table.ForeignKeyConstraints.Where(k => k.PrincipalTable != table))
            {
                Visit(key.PrincipalTable);
            }

            ordered.Add(table);
        }
    }
}

/// <summary>One table's row count and checksum, as printed for the source and the target.</summary>
public sealed record TableSum(string Table, long Rows, string Checksum);
