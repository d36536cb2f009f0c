using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Web.Data;

/// <summary>
/// Writes what a context tracks for one entity type (inserts of Added rows, updates of Modified ones) with one reused
/// command per statement shape inside the context's transaction, then marks the rows Unchanged so SaveChanges skips them.
/// EF Core's SaveChanges builds and runs a new command per row on SQLite; the webhook writer paid that for every event
/// (docs/benchmarks.md). Tables, columns, converters and concurrency tokens come from the EF model, so the mapping stays
/// in one place and the SQL uses the provider's own quoting and parameter names.
/// </summary>
public static class PreparedWrites
{
    /// <summary>Inserts the Added rows and returns how many were inserted.</summary>
    /// <param name="ignoreConflicts">Skip a row whose key or unique index is already taken (<c>ON CONFLICT DO NOTHING</c>,
    /// in SQLite and PostgreSQL alike) instead of failing; the count then says how many were new.</param>
    public static async Task<int> InsertAddedAsync<TEntity>(DbContext db, CancellationToken cancellationToken, bool ignoreConflicts = false)
        where TEntity : class
    {
        var added = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Added).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var (entityType, table) = TableOf<TEntity>(db);
        var properties = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
        if (properties.Any(p => p.ValueGenerated != ValueGenerated.Never) || entityType.GetComplexProperties().Any())
        {
            // A database-generated value would have to be read back into the entity; SaveChanges does that, this does not.
            throw new NotSupportedException($"{typeof(TEntity).Name} has database-generated values or complex properties; save it with SaveChanges.");
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        await using var command = NewCommand(db,
            $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
            + $"VALUES ({string.Join(", ", properties.Select((_, i) => sql.GenerateParameterName("p" + i)))})"
            + (ignoreConflicts ? " ON CONFLICT DO NOTHING" : ""));
        var parameters = AddParameters(command, sql, properties.Count);
        var converters = properties.Select(ToProvider).ToList();

        var inserted = 0;
        foreach (var entry in added)
        {
            for (var i = 0; i < properties.Count; i++)
            {
                parameters[i].Value = converters[i](entry.CurrentValues[properties[i]]);
            }

            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        added.ForEach(entry => entry.State = EntityState.Unchanged);
        return inserted;
    }

    /// <summary>
    /// Updates the changed columns of each Modified row, checking its concurrency tokens against the values it was read
    /// with, as SaveChanges would: a row changed by someone else meanwhile throws <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    public static async Task<int> UpdateModifiedAsync<TEntity>(DbContext db, CancellationToken cancellationToken)
        where TEntity : class
    {
        var modified = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Modified).ToList();
        if (modified.Count == 0)
        {
            return 0;
        }

        var (entityType, table) = TableOf<TEntity>(db);
        var sql = db.GetService<ISqlGenerationHelper>();
        var keys = entityType.FindPrimaryKey()!.Properties;
        var tokens = entityType.GetProperties().Where(p => p.IsConcurrencyToken).ToList();

        // Rows changed by the same transition change the same columns: one prepared command per set of columns.
        var commands = new Dictionary<string, (DbCommand Command, List<IProperty> Set, List<DbParameter> Parameters)>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in modified)
            {
                if (entry.ComplexProperties.Any(c => c.IsModified))
                {
                    throw new NotSupportedException($"A complex property of {typeof(TEntity).Name} changed; save it with SaveChanges.");
                }

                var set = entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToList();
                var shape = string.Join(",", set.Select(p => p.Name));
                if (!commands.TryGetValue(shape, out var prepared))
                {
                    var assignments = set.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterName("s" + i)}");
                    var conditions = keys.Concat(tokens).Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterName("w" + i)}");
                    var command = NewCommand(db,
                        $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", assignments)} WHERE {string.Join(" AND ", conditions)}");
                    var parameters = AddParameters(command, sql, set.Count, "s");
                    parameters.AddRange(AddParameters(command, sql, keys.Count + tokens.Count, "w"));
                    prepared = (command, set, parameters);
                    commands[shape] = prepared;
                }

                Bind(entry, prepared.Set, keys, tokens, prepared.Parameters);
                if (await prepared.Command.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    throw new DbUpdateConcurrencyException($"{typeof(TEntity).Name} {string.Join(",", keys.Select(k => entry.CurrentValues[k]))} was changed or deleted by someone else.");
                }
            }
        }
        finally
        {
            foreach (var (command, _, _) in commands.Values)
            {
                await command.DisposeAsync();
            }
        }

        // Accept the written values (Modified → Unchanged alone would revert the entity to what it was read as).
        foreach (var entry in modified)
        {
            entry.OriginalValues.SetValues(entry.CurrentValues);
            entry.State = EntityState.Unchanged;
        }

        return modified.Count;
    }

    private static void Bind(EntityEntry entry, List<IProperty> set, IReadOnlyList<IProperty> keys, List<IProperty> tokens, List<DbParameter> parameters)
    {
        var i = 0;
        foreach (var property in set)
        {
            parameters[i++].Value = ProviderValue(property, entry.CurrentValues[property]);
        }

        foreach (var property in keys)
        {
            parameters[i++].Value = ProviderValue(property, entry.OriginalValues[property]);
        }

        foreach (var property in tokens)
        {
            parameters[i++].Value = ProviderValue(property, entry.OriginalValues[property]);
        }
    }

    private static (IEntityType EntityType, StoreObjectIdentifier Table) TableOf<TEntity>(DbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        return (entityType, StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema()));
    }

    private static DbCommand NewCommand(DbContext db, string text)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = text;
        return command;
    }

    private static List<DbParameter> AddParameters(DbCommand command, ISqlGenerationHelper sql, int count, string prefix = "p") =>
        Enumerable.Range(0, count).Select(i =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = sql.GenerateParameterName(prefix + i);
            command.Parameters.Add(parameter);
            return parameter;
        }).ToList();

    private static object ProviderValue(IProperty property, object? value) => ToProvider(property)(value);

    /// <summary>The property's value converter (enum to string, offset to ticks...) as a function, looked up once.</summary>
    private static Func<object?, object> ToProvider(IProperty property)
    {
        var converter = property.GetTypeMapping().Converter;
        return converter is null
            ? value => value ?? DBNull.Value
            : value => (value is null ? null : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }
}
