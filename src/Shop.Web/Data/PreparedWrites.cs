// Over 300 lines on purpose: the event writer's batched statements for each provider and each kind of write (insert,
// insert-or-skip, update with its version check) are one mechanism, read together (docs/decisions/0004-event-writer-batches.md).
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Web.Data;

/// <summary>One step of <see cref="PreparedWrites.WriteTrackedAsync"/>: the Added or the Modified rows of one entity type.</summary>
public sealed record TrackedWrite(Type Entity, TrackedWriteKind Kind)
{
    public static TrackedWrite Insert<TEntity>() => new(typeof(TEntity), TrackedWriteKind.Insert);

    public static TrackedWrite InsertOrSkip<TEntity>() => new(typeof(TEntity), TrackedWriteKind.InsertOrSkip);

    public static TrackedWrite Update<TEntity>() => new(typeof(TEntity), TrackedWriteKind.Update);
}

public enum TrackedWriteKind
{
    Insert,

    /// <summary><c>ON CONFLICT DO NOTHING</c>: a row whose key or unique index is taken is skipped, not an error.</summary>
    InsertOrSkip,

    /// <summary>The changed columns, checked against the concurrency tokens as read.</summary>
    Update,
}

/// <summary>
/// Writes what a context tracks (Added rows, Modified ones) inside its transaction in fewer round trips than SaveChanges:
/// SQLite reuses prepared commands, PostgreSQL sends one NpgsqlBatch (docs/decisions/0004-event-writer-batches.md).
/// Tables, columns, converters and concurrency tokens come from the EF model.
/// </summary>
public sealed class PreparedWrites(DbContext db) : IAsyncDisposable
{
    private readonly Dictionary<(Type Entity, string Shape), Statement> _statements = [];
    private readonly Dictionary<string, PreparedCommand> _commands = new(StringComparer.Ordinal);
    private readonly bool _batched = db.Database.IsNpgsql();

    /// <summary>Inserts the Added rows and returns how many were inserted.</summary>
    /// <param name="ignoreConflicts">Skip a row whose key or unique index is already taken (<c>ON CONFLICT DO NOTHING</c>,
    /// in SQLite and PostgreSQL alike) instead of failing; the count then says how many were new.</param>
    public Task<int> InsertAddedAsync<TEntity>(CancellationToken cancellationToken, bool ignoreConflicts = false)
        where TEntity : class =>
        InsertAddedAsync(typeof(TEntity), ignoreConflicts, cancellationToken);

    /// <summary>
    /// Updates the changed columns of each Modified row, checking its concurrency tokens against the values it was read
    /// with, as SaveChanges would: a row changed by someone else meanwhile throws <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    public Task<int> UpdateModifiedAsync<TEntity>(CancellationToken cancellationToken)
        where TEntity : class =>
        UpdateModifiedAsync(typeof(TEntity), cancellationToken);

    /// <summary>
    /// Runs the steps in order and returns the rows each wrote (for an update, the rows updated). On PostgreSQL all of
    /// them go in one round trip, and a failed concurrency check is found once the batch has run: either way it throws
    /// <see cref="DbUpdateConcurrencyException"/> before anything is accepted, and the caller's transaction rolls back.
    /// </summary>
    public async Task<int[]> WriteTrackedAsync(IReadOnlyList<TrackedWrite> steps, CancellationToken cancellationToken)
    {
        var counts = new int[steps.Count];
        if (!_batched)
        {
            for (var i = 0; i < steps.Count; i++)
            {
                counts[i] = steps[i].Kind == TrackedWriteKind.Update
                    ? await UpdateModifiedAsync(steps[i].Entity, cancellationToken)
                    : await InsertAddedAsync(steps[i].Entity, steps[i].Kind == TrackedWriteKind.InsertOrSkip, cancellationToken);
            }

            return counts;
        }

        await using var batch = db.Database.GetDbConnection().CreateBatch();
        batch.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var rows = new List<(int Step, EntityEntry Entry, Statement Statement, DbBatchCommand Command)>();
        for (var i = 0; i < steps.Count; i++)
        {
            var update = steps[i].Kind == TrackedWriteKind.Update;
            foreach (var entry in Tracked(steps[i].Entity, update ? EntityState.Modified : EntityState.Added))
            {
                var statement = update ? UpdateStatement(entry) : InsertStatement(steps[i].Entity, steps[i].Kind == TrackedWriteKind.InsertOrSkip);
                var command = batch.CreateBatchCommand();
                command.CommandText = statement.Text;
                foreach (var value in statement.Values(entry))
                {
                    var parameter = command.CreateParameter();
                    parameter.Value = value;
                    command.Parameters.Add(parameter);
                }

                batch.BatchCommands.Add(command);
                rows.Add((i, entry, statement, command));
            }
        }

        if (rows.Count == 0)
        {
            return counts;
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        foreach (var (step, entry, _, command) in rows)
        {
            if (steps[step].Kind == TrackedWriteKind.Update && command.RecordsAffected != 1)
            {
                throw ChangedMeanwhile(entry);
            }

            counts[step] += command.RecordsAffected;
        }

        foreach (var (_, entry, statement, _) in rows)
        {
            Accept(entry, statement);
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var prepared in _commands.Values)
        {
            await prepared.Command.DisposeAsync();
        }

        _commands.Clear();
    }

    private async Task<int> InsertAddedAsync(Type entity, bool ignoreConflicts, CancellationToken cancellationToken)
    {
        var added = Tracked(entity, EntityState.Added);
        if (added.Count == 0)
        {
            return 0;
        }

        var insert = Prepare(InsertStatement(entity, ignoreConflicts));
        var inserted = 0;
        foreach (var entry in added)
        {
            insert.Bind(entry);
            inserted += await insert.Command.ExecuteNonQueryAsync(cancellationToken);
        }

        added.ForEach(entry => entry.State = EntityState.Unchanged);
        return inserted;
    }

    private async Task<int> UpdateModifiedAsync(Type entity, CancellationToken cancellationToken)
    {
        var modified = Tracked(entity, EntityState.Modified);
        var written = new List<(EntityEntry Entry, Statement Statement)>(modified.Count);
        foreach (var entry in modified)
        {
            var update = Prepare(UpdateStatement(entry));
            update.Bind(entry);
            if (await update.Command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw ChangedMeanwhile(entry);
            }

            written.Add((entry, update.Statement));
        }

        written.ForEach(w => Accept(w.Entry, w.Statement));
        return modified.Count;
    }

    private List<EntityEntry> Tracked(Type entity, EntityState state) =>
        db.ChangeTracker.Entries().Where(e => e.State == state && e.Metadata.ClrType == entity).ToList();

    /// <summary>
    /// Accepts the written values (Modified → Unchanged alone would revert the entity to what it was read as). Only the
    /// changed columns: copying every value back was a third of the update's CPU.
    /// </summary>
    private static void Accept(EntityEntry entry, Statement statement)
    {
        if (entry.State == EntityState.Modified)
        {
            foreach (var property in statement.Set)
            {
                entry.OriginalValues[property] = entry.CurrentValues[property];
            }
        }

        entry.State = EntityState.Unchanged;
    }

    private static DbUpdateConcurrencyException ChangedMeanwhile(EntityEntry entry)
    {
        var key = string.Join(",", entry.Metadata.FindPrimaryKey()!.Properties.Select(k => entry.CurrentValues[k]));
        return new DbUpdateConcurrencyException($"{entry.Metadata.ClrType.Name} {key} was changed or deleted by someone else.");
    }

    private Statement InsertStatement(Type entity, bool ignoreConflicts) =>
        StatementFor(entity, ignoreConflicts ? "insert-or-skip" : "insert", () =>
        {
            var (entityType, table) = TableOf(entity);
            var properties = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
            if (properties.Any(p => p.ValueGenerated != ValueGenerated.Never) || entityType.GetComplexProperties().Any())
            {
                // A database-generated value would have to be read back into the entity; SaveChanges does that, this does not.
                throw new NotSupportedException($"{entity.Name} has database-generated values or complex properties; save it with SaveChanges.");
            }

            var sql = db.GetService<ISqlGenerationHelper>();
            return new Statement(
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
                + $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
                + $"VALUES ({string.Join(", ", properties.Select((_, i) => Placeholder(i)))})"
                + (ignoreConflicts ? " ON CONFLICT DO NOTHING" : ""),
                properties, []);
        });

    /// <summary>Rows changed by the same transition change the same columns: one statement per set of columns.</summary>
    private Statement UpdateStatement(EntityEntry entry)
    {
        var entity = entry.Metadata.ClrType;
        if (entry.ComplexProperties.Any(c => c.IsModified))
        {
            throw new NotSupportedException($"A complex property of {entity.Name} changed; save it with SaveChanges.");
        }

        var set = entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToList();
        return StatementFor(entity, "update " + string.Join(",", set.Select(p => p.Name)), () =>
        {
            var (entityType, table) = TableOf(entity);
            var sql = db.GetService<ISqlGenerationHelper>();
            var conditions = entityType.FindPrimaryKey()!.Properties.Concat(entityType.GetProperties().Where(p => p.IsConcurrencyToken)).ToList();
            var assignments = set.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {Placeholder(i)}");
            var matches = conditions.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {Placeholder(set.Count + i)}");
            return new Statement(
                $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", assignments)} WHERE {string.Join(" AND ", matches)}",
                set, conditions);
        });
    }

    private Statement StatementFor(Type entity, string shape, Func<Statement> create)
    {
        if (!_statements.TryGetValue((entity, shape), out var statement))
        {
            statement = create();
            _statements[(entity, shape)] = statement;
        }

        return statement;
    }

    // Batched commands bind by position ($1): the names SQL rewriting would need are of no use there.
    private string Placeholder(int i) => _batched ? "$" + (i + 1) : db.GetService<ISqlGenerationHelper>().GenerateParameterName("p" + i);

    /// <summary>The command for this statement, made on first use; joined to the context's current transaction.</summary>
    private PreparedCommand Prepare(Statement statement)
    {
        if (!_commands.TryGetValue(statement.Text, out var prepared))
        {
            var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = statement.Text;
            var parameters = statement.Set.Concat(statement.Conditions).Select((_, i) =>
            {
                var parameter = command.CreateParameter();
                if (!_batched)
                {
                    parameter.ParameterName = db.GetService<ISqlGenerationHelper>().GenerateParameterName("p" + i);
                }

                command.Parameters.Add(parameter);
                return parameter;
            }).ToList();
            prepared = new PreparedCommand(command, statement, parameters);
            _commands[statement.Text] = prepared;
        }

        prepared.Command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return prepared;
    }

    private (IEntityType EntityType, StoreObjectIdentifier Table) TableOf(Type entity)
    {
        var entityType = db.Model.FindEntityType(entity)
            ?? throw new InvalidOperationException($"{entity.Name} is not in the model.");
        return (entityType, StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema()));
    }

    /// <summary>The property's value converter (enum to string, offset to ticks...) as a function, looked up once.</summary>
    private static Func<object?, object> ToProvider(IProperty property)
    {
        var converter = property.GetTypeMapping().Converter;
        return converter is null
            ? value => value ?? DBNull.Value
            : value => (value is null ? null : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }

    /// <param name="Set">The columns written, bound first.</param>
    /// <param name="Conditions">The columns matched in WHERE (key, concurrency tokens), bound after them.</param>
    private sealed record Statement(string Text, List<IProperty> Set, List<IProperty> Conditions)
    {
        private readonly List<Func<object?, object>> _converters = [.. Set.Concat(Conditions).Select(ToProvider)];

        /// <summary>New values for the written columns; the key and concurrency tokens as they were read.</summary>
        public IEnumerable<object> Values(EntityEntry entry)
        {
            for (var i = 0; i < Set.Count; i++)
            {
                yield return _converters[i](entry.CurrentValues[Set[i]]);
            }

            for (var i = 0; i < Conditions.Count; i++)
            {
                yield return _converters[Set.Count + i](entry.OriginalValues[Conditions[i]]);
            }
        }
    }

    private sealed record PreparedCommand(DbCommand Command, Statement Statement, List<DbParameter> Parameters)
    {
        public void Bind(EntityEntry entry)
        {
            var i = 0;
            foreach (var value in Statement.Values(entry))
            {
                Parameters[i++].Value = value;
            }
        }
    }
}
