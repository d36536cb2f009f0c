using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Web.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The real shop on a real database of its own (a SQLite file, or a PostgreSQL database when SHOP_TEST_DATABASE says so:
/// see <see cref="TestDatabase"/>), with Stripe's API played by <see cref="StripeStub"/> over HTTP.
/// Only configuration is swapped; every class of the shop is the production one.
/// </summary>
public sealed class ShopApp : WebApplicationFactory<Program>
{
    private readonly bool _ownsDatabase;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _testServices;

    /// <param name="database">A database from an earlier ShopApp, to restart the shop on the same data, or to run a second
    /// instance beside it; the caller then owns (and disposes) it. By default each ShopApp has a new database of its own.</param>
    /// <param name="testServices">Registrations after the shop's own: a FakeTimeProvider, a <see cref="DatabaseFault"/>.</param>
    public ShopApp(StripeStub? stripe = null, IDictionary<string, string?>? settings = null, TestDatabase? database = null,
        Action<IServiceCollection>? testServices = null)
    {
        _testServices = testServices;
        _ownsDatabase = database is null;
        Database = database ?? TestDatabase.Create();
        Stripe = stripe;
        _settings = new Dictionary<string, string?>(Database.Settings)
        {
            ["Shop:Currency"] = "usd",
            ["RateLimiting:CheckoutPermitLimit"] = "1000",
            ["RateLimiting:LoginPermitLimit"] = "1000",
            ["Stripe:WebhookSecrets:0"] = StripeWebhooks.Secret,
            // Integration tests choose their Stripe (WireMock) themselves; browser tests switch the emulators on.
            ["OfflineMode:Enabled"] = "false",
            // No background calls to Stripe (reconciliation, event catch-up) unless a test asks: they would race its assertions.
            ["Reconciliation:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (stripe is not null)
        {
            _settings["Stripe:SecretKey"] = "sk_test_fake_key_for_tests";
            _settings["Stripe:PublishableKey"] = "pk_test_fake_key_for_tests";
            _settings["Stripe:ApiBase"] = stripe.Url;
            _settings["Stripe:MaxNetworkRetries"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public StripeStub? Stripe { get; }

    public TestDatabase Database { get; }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects so tests can see them.</summary>
    public ShopSession NewSession() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Puts a product in a new visitor's cart and checks out: an order awaiting payment, with its PaymentIntent.</summary>
    /// <param name="customer">Checkout fields that differ from <see cref="ShopSession.Customer"/>, such as "Input.Email".</param>
    public async Task<PlacedOrder> PlaceOrderAsync(string slug = "canvas-tote", int quantity = 1, IReadOnlyDictionary<string, string>? customer = null)
    {
        using var session = NewSession();
        await session.AddToCartAsync(slug, quantity);
        var fields = new Dictionary<string, string>(ShopSession.Customer);
        foreach (var (key, value) in customer ?? new Dictionary<string, string>())
        {
            fields[key] = value;
        }

        var page = await session.CheckoutAsync(fields);
        await using var db = OpenDatabase();
        var order = await db.Orders.SingleAsync(o => o.PublicId == page.OrderPublicId);
        return new PlacedOrder(order.PublicId, order.PaymentIntentId!, order.TotalMinorUnits, order.Currency);
    }

    /// <summary>A fresh DbContext on the shop's database, for assertions on rows.</summary>
    public ShopDbContext OpenDatabase() => Database.Open();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");

        // As strict as Development: a singleton that resolves a scoped service fails the tests, not a developer's first run.
        builder.UseDefaultServiceProvider(provider =>
        {
            provider.ValidateScopes = true;
            provider.ValidateOnBuild = true;
        });
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // The in-process test server has no socket and so no client address; its requests come from this machine, as a
        // client of 127.0.0.1 would. A test behind a proxy says so with X-Forwarded-For, or listens on a real socket.
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, LoopbackClient>());

        if (_testServices is not null)
        {
            builder.ConfigureTestServices(_testServices);
        }
    }

    /// <summary>
    /// The shop's own thread runs Program.Main and disposes the host as soon as its start fails (a bad setting), while
    /// the factory's StartAsync resolves the host's lifetime to wait on it: a race that reported ObjectDisposedException
    /// instead of the setting's message. The shop's start now waits until the factory is waiting for it.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var factoryWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.ConfigureServices(services => HoldStartUntil(services, factoryWaiting.Task));
        var host = builder.Build();

        // StartAsync resolves the lifetime before its first await; only then may the shop's thread go on and fail.
        var started = host.StartAsync();
        factoryWaiting.SetResult();
        started.GetAwaiter().GetResult();
        return host;
    }

    private static void HoldStartUntil(IServiceCollection services, Task go)
    {
        var original = services.Last(d => d.ServiceType == typeof(IHostLifetime));
        services.Remove(original);
        services.AddSingleton<IHostLifetime>(provider => new HeldHostLifetime(
            original.ImplementationInstance as IHostLifetime
                ?? (IHostLifetime?)original.ImplementationFactory?.Invoke(provider)
                ?? (IHostLifetime)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!),
            go));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            if (_ownsDatabase)
            {
                Database.Dispose();
            }
        }
    }
}

/// <summary>Gives a request without a client address (the in-process test server's) the loopback address.</summary>
internal sealed class LoopbackClient : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>The host's own lifetime, entered only once <paramref name="go"/> completes.</summary>
internal sealed class HeldHostLifetime(IHostLifetime inner, Task go) : IHostLifetime
{
    public async Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        await go.WaitAsync(cancellationToken);
        await inner.WaitForStartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);
}

public sealed record PlacedOrder(string PublicId, string PaymentIntentId, long Amount, string Currency);
