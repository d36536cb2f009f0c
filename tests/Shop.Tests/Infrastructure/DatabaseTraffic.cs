using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// What each request of the shop asks of its database, in order: connection opens, commands (one per round trip, with
/// their SQL), transactions, and the calls to Stripe in between. Add it with <see cref="AddTo"/>. Only work done for a
/// request is recorded, so the background workers' polling does not count. Commands the shop runs outside EF (the
/// pragmas on each connection open, the event writer's prepared inserts) are not seen: opens are counted instead.
/// </summary>
public sealed class DatabaseTraffic : CommandObserver, IDbTransactionInterceptor, IDbConnectionInterceptor
{
    private readonly AsyncLocal<RequestName?> _request = new();
    private readonly ConcurrentQueue<DatabaseStep> _steps = new();
    private int _requests;

    /// <summary>The steps of the last request with this method and path, such as "POST /checkout".</summary>
    public IReadOnlyList<DatabaseStep> OfLast(string request)
    {
        var steps = _steps.Where(s => s.Request.Name == request).ToList();
        return steps.Count == 0 ? [] : [.. steps.Where(s => s.Request.Number == steps[^1].Request.Number)];
    }

    /// <summary>Adds the recorder to the shop's DbContext, its Stripe client and its request pipeline.</summary>
    public void AddTo(IServiceCollection services)
    {
        AddInterceptorTo(services);
        services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(() => new OutgoingCalls(this)));
        services.AddSingleton<IStartupFilter>(new RequestNames(this));
    }

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Add(DatabaseStepKind.Open);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add(DatabaseStepKind.Open);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Add(DatabaseStepKind.Begin);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Add(DatabaseStepKind.Begin);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Add(DatabaseStepKind.Commit);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add(DatabaseStepKind.Commit);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Add(DatabaseStepKind.Rollback);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add(DatabaseStepKind.Rollback);
        return Task.CompletedTask;
    }

    // A write outside a transaction commits on its own (autocommit): EF Core runs a single-statement save that way.
    protected override void Observe(DbCommand command)
    {
        var writes = !command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);
        Add(writes ? command.Transaction is null ? DatabaseStepKind.WriteCommitted : DatabaseStepKind.Write : DatabaseStepKind.Read, command.CommandText);
    }

    private void Add(DatabaseStepKind kind, string? detail = null)
    {
        if (_request.Value is { } request)
        {
            _steps.Enqueue(new DatabaseStep(request, kind, detail));
        }
    }

    private sealed class OutgoingCalls(DatabaseTraffic traffic) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            traffic.Add(DatabaseStepKind.Http, $"{request.Method} {request.RequestUri?.AbsolutePath}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RequestNames(DatabaseTraffic traffic) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                traffic._request.Value = new RequestName(Interlocked.Increment(ref traffic._requests), $"{context.Request.Method} {context.Request.Path}");
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public enum DatabaseStepKind
{
    Open,
    Read,

    /// <summary>A write inside an explicit transaction.</summary>
    Write,

    /// <summary>A write outside any transaction: it is its own commit.</summary>
    WriteCommitted,
    Begin,
    Commit,
    Rollback,

    /// <summary>An outgoing HTTP call (to Stripe).</summary>
    Http,
}

public sealed record RequestName(int Number, string Name);

public sealed record DatabaseStep(RequestName Request, DatabaseStepKind Kind, string? Detail)
{
    public override string ToString() => Detail is null ? Kind.ToString() : $"{Kind}: {Detail.ReplaceLineEndings(" ")}";
}
