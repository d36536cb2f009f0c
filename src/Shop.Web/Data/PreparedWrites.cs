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
/// (docs/benchmarks.md). The commands live as long as this object, so on a connection kept open (the writer's) a
/// statement is prepared once, not once per batch. Tables, columns, converters and concurrency tokens come from the EF
/// model, so the mapping stays in one place and the SQL uses the provider's own quoting and parameter names.
/// </summary>
public sealed class PreparedWrites(DbContext db) : IAsyncDisposable
{
    private readonly Dictionary<(Type Entity, string Shape), PreparedCommand> _commands = [];

    /// <summary>Inserts the Added rows and returns how many were inserted.</summary>
    /// <param name="ignoreConflicts">Skip a row whose key or unique index is already taken (<c>ON CONFLICT DO NOTHING</c>,
    /// in SQLite and PostgreSQL alike) instead of failing; the count then says how many were new.</param>
    public async Task<int> InsertAddedAsync<TEntity>(CancellationToken cancellationToken, bool ignoreConflicts = false)
        where TEntity : class
    {
        var added = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Added).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var insert = Prepare(typeof(TEntity), ignoreConflicts ? "insert-or-skip" : "insert", () =>
        {
            var (entityType, table) = TableOf<TEntity>();
            var properties = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
            if (properties.Any(p => p.ValueGenerated != ValueGenerated.Never) || entityType.GetComplexProperties().Any())
            {
                // A database-generated value would have to be read back into the entity; SaveChanges does that, this does not.
                throw new NotSupportedException($"{typeof(TEntity).Name} has database-generated values or complex properties; save it with SaveChanges.");
            }

            var sql = db.GetService<ISqlGenerationHelper>();
            return NewCommand(
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
                + $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
                + $"VALUES ({string.Join(", ", properties.Select((_, i) => sql.GenerateParameterName("p" + i)))})"
                + (ignoreConflicts ? " ON CONFLICT DO NOTHING" : ""),
                properties, []);
        });

        var inserted = 0;
        foreach (var entry in added)
        {
            for (var i = 0; i < insert.Set.Count; i++)
            {
                insert.Parameters[i].Value = insert.Converters[i](entry.CurrentValues[insert.Set[i]]);
            }

            inserted += await insert.Command.ExecuteNonQueryAsync(cancellationToken);
        }

        added.ForEach(entry => entry.State = EntityState.Unchanged);
        return inserted;
    }

    /// <summary>
    /// Updates the changed columns of each Modified row, checking its concurrency tokens against the values it was read
    /// with, as SaveChanges would: a row changed by someone else meanwhile throws <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    public async Task<int> UpdateModifiedAsync<TEntity>(CancellationToken cancellationToken)
        where TEntity : class
    {
        var modified = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Modified).ToList();
        if (modified.Count == 0)
        {
            return 0;
        }

        var written = new List<(EntityEntry<TEntity> Entry, List<IProperty> Set)>(modified.Count);
        foreach (var entry in modified)
        {
            if (entry.ComplexProperties.Any(c => c.IsModified))
            {
                throw new NotSupportedException($"A complex property of {typeof(TEntity).Name} changed; save it with SaveChanges.");
            }

            // Rows changed by the same transition change the same columns: one prepared command per set of columns.
            var set = entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToList();
            var update = Prepare(typeof(TEntity), "update " + string.Join(",", set.Select(p => p.Name)), () =>
            {
                var (entityType, table) = TableOf<TEntity>();
                var sql = db.GetService<ISqlGenerationHelper>();
                var conditions = entityType.FindPrimaryKey()!.Properties.Concat(entityType.GetProperties().Where(p => p.IsConcurrencyToken)).ToList();
                var assignments = set.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterName("p" + i)}");
                var matches = conditions.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterName("p" + (set.Count + i))}");
                return NewCommand(
                    $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", assignments)} WHERE {string.Join(" AND ", matches)}",
                    set, conditions);
            });

            // New values for the changed columns; the key and concurrency tokens as they were read.
            for (var i = 0; i < update.Set.Count; i++)
            {
                update.Parameters[i].Value = update.Converters[i](entry.CurrentValues[update.Set[i]]);
            }

            for (var i = 0; i < update.Conditions.Count; i++)
            {
                var at = update.Set.Count + i;
                update.Parameters[at].Value = update.Converters[at](entry.OriginalValues[update.Conditions[i]]);
            }

            if (await update.Command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                var key = string.Join(",", entry.Metadata.FindPrimaryKey()!.Properties.Select(k => entry.CurrentValues[k]));
                throw new DbUpdateConcurrencyException($"{typeof(TEntity).Name} {key} was changed or deleted by someone else.");
            }

            written.Add((entry, update.Set));
        }

        // Accept the written values (Modified → Unchanged alone would revert the entity to what it was read as). Only the
        // changed columns: copying every value back was a third of this method's CPU.
        foreach (var (entry, set) in written)
        {
            foreach (var property in set)
            {
                entry.OriginalValues[property] = entry.CurrentValues[property];
            }

            entry.State = EntityState.Unchanged;
        }

        return modified.Count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var prepared in _commands.Values)
        {
            await prepared.Command.DisposeAsync();
        }

        _commands.Clear();
    }

    /// <summary>The command for this statement, made on first use; joined to the context's current transaction.</summary>
    private PreparedCommand Prepare(Type entity, string shape, Func<PreparedCommand> create)
    {
        if (!_commands.TryGetValue((entity, shape), out var prepared))
        {
            prepared = create();
            _commands[(entity, shape)] = prepared;
        }

        prepared.Command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return prepared;
    }

    private (IEntityType EntityType, StoreObjectIdentifier Table) TableOf<TEntity>()
    {
        var entityType = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        return (entityType, StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema()));
    }

    /// <param name="set">The columns written, bound first.</param>
    /// <param name="conditions">The columns matched in WHERE (key, concurrency tokens), bound after them.</param>
    private PreparedCommand NewCommand(string text, List<IProperty> set, List<IProperty> conditions)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = text;
        var sql = db.GetService<ISqlGenerationHelper>();
        var parameters = set.Concat(conditions).Select((_, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = sql.GenerateParameterName("p" + i);
            command.Parameters.Add(parameter);
            return parameter;
        }).ToList();
        return new PreparedCommand(command, set, conditions, parameters, set.Concat(conditions).Select(ToProvider).ToList());
    }

    /// <summary>The property's value converter (enum to string, offset to ticks...) as a function, looked up once.</summary>
    private static Func<object?, object> ToProvider(IProperty property)
    {
        var converter = property.GetTypeMapping().Converter;
        return converter is null
            ? value => value ?? DBNull.Value
            : value => (value is null ? null : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }

    private sealed record PreparedCommand(
        DbCommand Command, List<IProperty> Set, List<IProperty> Conditions, List<DbParameter> Parameters, List<Func<object?, object>> Converters);
}
