using Microsoft.Extensions.Hosting;

namespace Shop.Emulator.Inbox;

/// <summary>
/// Leaves process signals to whoever embeds the inbox. The default console lifetime would take Ctrl+C and SIGTERM
/// for the inbox's own small web host, stopping only that host and keeping the real program from shutting down.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
