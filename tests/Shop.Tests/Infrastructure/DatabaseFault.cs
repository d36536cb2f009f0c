using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// A database that fails on demand: while armed, every command of the shop whose SQL matches throws the given exception
/// before it reaches the database, as a dropped connection or a timeout would. Add it with <see cref="AddTo"/>. Commands the
/// shop runs outside EF (the event writer's prepared inserts) are not intercepted.
/// </summary>
public sealed class DatabaseFault : CommandObserver
{
    private volatile Func<string, bool>? _matches;
    private volatile Func<Exception>? _exception;
    private int _thrown;

    /// <summary>How many commands failed so far.</summary>
    public int Thrown => Volatile.Read(ref _thrown);

    public void Arm(Func<string, bool> commandMatches, Func<Exception> exception)
    {
        _exception = exception;
        _matches = commandMatches;
    }

    public void Clear() => _matches = null;

    /// <summary>Adds the fault to the shop's DbContext, whichever provider's context type the shop registered.</summary>
    public void AddTo(IServiceCollection services) => AddInterceptorTo(services);

    protected override void Observe(DbCommand command)
    {
        if (_matches is { } matches && matches(command.CommandText) && _exception is { } exception)
        {
            Interlocked.Increment(ref _thrown);
            throw exception();
        }
    }
}
