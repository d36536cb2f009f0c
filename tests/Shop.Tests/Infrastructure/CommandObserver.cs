using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Shop.Web.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Sees every command the shop's DbContext runs, before it reaches the database, whichever way EF Core executes it.
/// Commands the shop runs outside EF (the event writer's prepared inserts, the pragmas on each connection open) are not seen.
/// </summary>
public abstract class CommandObserver : DbCommandInterceptor
{
    /// <summary>Adds this interceptor to the shop's DbContext, whichever provider's context type the shop registered.</summary>
    protected void AddInterceptorTo(IServiceCollection services)
    {
        services.ConfigureDbContext<SqliteShopDbContext>(options => options.AddInterceptors(this), ServiceLifetime.Singleton);
        services.ConfigureDbContext<PostgreSqlShopDbContext>(options => options.AddInterceptors(this), ServiceLifetime.Singleton);
    }

    protected abstract void Observe(DbCommand command);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Observe(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Observe(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Observe(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Observe(command);
        return ValueTask.FromResult(result);
    }
}
