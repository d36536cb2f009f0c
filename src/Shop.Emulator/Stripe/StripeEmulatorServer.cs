using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shop.Emulator.Stripe;

/// <summary>
/// A local Stripe for card payments that Stripe's own clients and CLI accept unchanged: PaymentIntents, Customers,
/// PaymentMethods, Charges, Refunds, Disputes, Events and Webhook endpoints, signed webhooks with retries,
/// <c>stripe listen</c> sessions, a Stripe.js stand-in and a 3-D Secure challenge page, on its own Kestrel server
/// bound to 127.0.0.1.
/// </summary>
public sealed class StripeEmulatorServer : IAsyncDisposable
{
    /// <summary>The API version Stripe.net 53.1.0 pins; events carry it so <c>EventUtility.ConstructEvent</c> accepts them.</summary>
    public const string ApiVersion = "2026-10-28.endive";

    private readonly WebApplication _app;
    private readonly StripeState _state;
    private readonly WebhookSender _webhooks;
    private readonly WebhookEndpoints _endpoints;
    private readonly StripeEmulatorOptions _options;

    private StripeEmulatorServer(WebApplication app, StripeState state, WebhookSender webhooks, WebhookEndpoints endpoints, StripeEmulatorOptions options, Uri baseUrl)
    {
        _app = app;
        _state = state;
        _webhooks = webhooks;
        _endpoints = endpoints;
        _options = options;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:{port}/</c>. Stripe.net's <c>ApiBase</c> takes it without the trailing slash (see <see cref="ApiBase"/>).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The value for <c>StripeClientOptions.ApiBase</c>: Stripe.net appends <c>/v1/...</c> to it as a string.</summary>
    public string ApiBase => BaseUrl.GetLeftPart(UriPartial.Authority);

    /// <summary>The Stripe.js stand-in, to load instead of <c>https://js.stripe.com/v3</c>.</summary>
    public Uri JsUrl => new(BaseUrl, "v3");

    /// <summary>The page listing webhook events and delivery attempts.</summary>
    public Uri DeliveriesUrl => new(BaseUrl, "deliveries");

    public string WebhookSecret => _options.WebhookSecret;

    public static async Task<StripeEmulatorServer> StartAsync(
        StripeEmulatorOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;

        // An empty builder: no appsettings.json, environment or command line of the host process leaks in,
        // which matters when the emulator runs inside the shop's own process.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(StripeEmulatorServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        // The default console lifetime would take Ctrl+C and SIGTERM away from the host process the emulator runs in.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var app = builder.Build();

        Uri? baseUrl = null;
        var state = new StripeState(options, () => baseUrl!, loggerFactory.CreateLogger("Shop.Emulator.Stripe"));
        var webhooks = new WebhookSender(state, loggerFactory.CreateLogger("Shop.Emulator.Stripe.Webhooks"));
        app.Use(AllowBrowserCalls);
        app.UseWebSockets(); // stripe listen
        app.UseRouting(); // after the path clean-up, so routes match the cleaned path
        var endpoints = MapResources(app, state, webhooks, loggerFactory);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException)
        {
            // Port taken: release what was built before reporting it.
            await webhooks.DisposeAsync();
            await state.DisposeAsync();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        baseUrl = new Uri(address.TrimEnd('/') + "/");
        var server = new StripeEmulatorServer(app, state, webhooks, endpoints, options, baseUrl);
        foreach (var url in options.WebhookEndpoints)
        {
            server.AddWebhookEndpoint(url);
        }

        loggerFactory.CreateLogger<StripeEmulatorServer>().LogInformation(
            "Stripe emulator listening on {BaseUrl}; Stripe.js stand-in at {JsUrl}; deliveries at {DeliveriesUrl}", server.BaseUrl, server.JsUrl, server.DeliveriesUrl);
        return server;
    }

    /// <summary>Every event goes to every endpoint added, from the next event on, signed with <see cref="WebhookSecret"/>.</summary>
    public void AddWebhookEndpoint(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        lock (_state.Gate)
        {
            _endpoints.AddHostEndpoint(url, _options.WebhookSecret);
        }
    }

    /// <summary>Every event's delivery to every destination, newest event first (the data behind <c>/deliveries.json</c>).</summary>
    public IReadOnlyList<WebhookDelivery> GetDeliveries()
    {
        lock (_state.Gate)
        {
            return [.. _state.Store.NewestFirst<EventRecord>().SelectMany(e => e.Deliveries.Select(d => d.ToPublic()))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _webhooks.DisposeAsync();
        await _state.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Each resource maps its own routes; the order of construction is the order of dependence.</summary>
    private static WebhookEndpoints MapResources(WebApplication app, StripeState state, WebhookSender webhooks, ILoggerFactory loggerFactory)
    {
        var api = new StripeApi(state, app.MapGroup("/v1"), loggerFactory.CreateLogger("Shop.Emulator.Stripe.Api"));
        var events = new Events(state, webhooks);
        var paymentMethods = new PaymentMethods(state, events);
        var customers = new Customers(state, events, paymentMethods);
        var charges = new Charges(state, events);
        var disputes = new Disputes(state, events);
        var paymentIntents = new PaymentIntents(state, events, paymentMethods, customers, disputes);
        var endpoints = new WebhookEndpoints(state, webhooks);
        paymentIntents.Map(api);
        customers.Map(api);
        paymentMethods.Map(api);
        charges.Map(api);
        new Refunds(state, events, charges).Map(api);
        disputes.Map(api);
        events.Map(api);
        endpoints.Map(api);
        new CliSessions(state, webhooks, loggerFactory.CreateLogger("Shop.Emulator.Stripe.CliSessions")).Map(api, app);
        api.MapFallback();
        new EmulatorPages(state, paymentIntents).Map(app);
        StripeJsStandIn.Map(app);
        return endpoints;
    }

    /// <summary>
    /// Path clean-up, then CORS. Stripe's API answers browsers from any origin: the stand-in's confirm and retrieve calls are cross-origin
    /// from the shop's page (form posts, so no preflight, but answer one anyway).
    /// </summary>
    private static Task AllowBrowserCalls(HttpContext http, RequestDelegate next)
    {
        // An ApiBase given with a trailing slash makes Stripe.net ask for //v1/...; serve it rather than 404.
        if (http.Request.Path.Value is { } path && path.StartsWith("//", StringComparison.Ordinal))
        {
            http.Request.Path = new PathString("/" + path.TrimStart('/'));
        }

        if (http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(http.Request.Method))
            {
                http.Response.Headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
                http.Response.Headers.AccessControlAllowHeaders = "Content-Type, Authorization, Stripe-Version, Idempotency-Key";
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }
        }

        return next(http);
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
