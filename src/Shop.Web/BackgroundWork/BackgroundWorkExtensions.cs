using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Web.BackgroundWork;

public static class BackgroundWorkExtensions
{
    /// <summary>The loop every background worker runs in, and the health record of each (read by operations).</summary>
    public static IHostApplicationBuilder AddBackgroundWork(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<WorkerHealth>();
        builder.Services.TryAddSingleton<WorkerLoop>();
        return builder;
    }
}
