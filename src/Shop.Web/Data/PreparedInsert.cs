using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Web.Data;

/// <summary>
/// Inserts the rows of one entity type that a context tracks as Added with one reused (prepared) command inside the
/// context's transaction, and marks them Unchanged so SaveChanges does not insert them again. EF Core's SaveChanges
/// builds, prepares and runs a new command per row on SQLite; the webhook writer paid that for every event's record
/// (docs/benchmarks.md). Table, columns and value converters come from the EF model, so the mapping stays in one place
/// and the SQL uses the provider's own quoting and parameter names.
/// </summary>
public static class PreparedInsert
{
    public static async Task<int> InsertAddedAsync<TEntity>(DbContext db, CancellationToken cancellationToken)
        where TEntity : class
    {
        var added = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Added).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var entityType = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var properties = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
        if (properties.Any(p => p.ValueGenerated != ValueGenerated.Never))
        {
            // A database-generated value would have to be read back into the entity; SaveChanges does that, this does not.
            throw new NotSupportedException($"{typeof(TEntity).Name} has database-generated values; save it with SaveChanges.");
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
            + $"VALUES ({string.Join(", ", properties.Select((_, i) => sql.GenerateParameterName("p" + i)))})";
        var parameters = properties.Select((_, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = sql.GenerateParameterName("p" + i);
            command.Parameters.Add(parameter);
            return parameter;
        }).ToList();

        foreach (var entry in added)
        {
            for (var i = 0; i < properties.Count; i++)
            {
                parameters[i].Value = ProviderValue(properties[i], entry.CurrentValues[properties[i]]);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var entry in added)
        {
            entry.State = EntityState.Unchanged;
        }

        return added.Count;
    }

    private static object ProviderValue(IProperty property, object? value)
    {
        var converter = property.GetTypeMapping().Converter;
        return (converter is null || value is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }
}
