using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Shop.Web.Common;
using Shop.Web.Payments;

namespace Shop.Web.Operations;

/// <summary>The "Telemetry" section: whether spans and metrics are collected at all.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The standard OpenTelemetry variable; when it is set, traces, metrics and logs are exported over OTLP.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Collect spans and metrics in-process. Defaults to on exactly when <see cref="OtlpEndpointKey"/> is set; on
    /// without an endpoint, nothing leaves the process (tests add an in-memory exporter).</summary>
    public bool? Enabled { get; set; }

    public static bool ExportsOtlp(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
}

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry traces (ASP.NET Core, HttpClient, EF Core, the shop's own "Shop" source) and metrics ("Shop" meters, ASP.NET
    /// Core, HttpClient), exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the other standard
    /// OTEL_* variables itself). Off, no provider is registered: no span is recorded and nothing is exported.
    /// </summary>
    public static IHostApplicationBuilder AddShopTelemetry(this IHostApplicationBuilder builder)
    {
        // Always: with telemetry off nobody listens, and a measurement costs a null check.
        builder.Services.AddSingleton<ShopMetrics>();
        builder.Services.AddSingleton<StripeApiCallMetrics>();
        builder.Services.AddHttpClient(StripeConnection.HttpClientName).AddHttpMessageHandler<StripeApiCallMetrics>();

        var exports = TelemetryOptions.ExportsOtlp(builder.Configuration);
        var enabled = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.Enabled ?? exports;
        if (enabled)
        {
            AddOpenTelemetry(builder, exports);
        }

        return builder;
    }

    // A method of its own: the OpenTelemetry assemblies are loaded when a method that uses them is first called, so a shop
    // with telemetry off never loads them (about 1.5 MB of memory and a few milliseconds of start-up).
    private static void AddOpenTelemetry(IHostApplicationBuilder builder, bool exports)
    {
        builder.Services.AddSingleton<OutboxMetrics>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithTracing(tracing => tracing
                .AddSource(ShopTelemetry.Name)
                // Probes every few seconds would drown the traces that matter.
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(ShopTelemetry.Name, OutboxMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        // The gauges exist from when the meter provider is built, with this host's services.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, _) => services.GetRequiredService<OutboxMetrics>());
        if (exports)
        {
            telemetry.UseOtlpExporter();
        }
    }
}
