using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Web.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The real shop on a real SQLite file in a temporary folder, with Stripe's API played by <see cref="StripeStub"/> over HTTP.
/// Only configuration is swapped; every class of the shop is the production one.
/// </summary>
public sealed class ShopApp : WebApplicationFactory<Program>
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _testServices;

    /// <param name="databaseDirectory">A folder holding shop.db from an earlier ShopApp, to restart the shop on the same data;
    /// the caller then owns (and deletes) it. By default each ShopApp has its own temporary folder.</param>
    /// <param name="testServices">Registrations after the shop's own: a FakeTimeProvider, a <see cref="DatabaseFault"/>.</param>
    public ShopApp(StripeStub? stripe = null, IDictionary<string, string?>? settings = null, string? databaseDirectory = null,
        Action<IServiceCollection>? testServices = null)
    {
        _testServices = testServices;
        _ownsDirectory = databaseDirectory is null;
        _directory = databaseDirectory ?? Directory.CreateTempSubdirectory("shop-tests-").FullName;
        Stripe = stripe;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Shop"] = $"Data Source={DatabasePath}",
            ["Shop:Currency"] = "usd",
            ["RateLimiting:CheckoutPermitLimit"] = "1000",
            ["Stripe:WebhookSecrets:0"] = StripeWebhooks.Secret,
            // Integration tests choose their Stripe (WireMock) themselves; browser tests switch the emulators on.
            ["OfflineMode:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (stripe is not null)
        {
            _settings["Stripe:SecretKey"] = "sk_test_fake_key_for_tests";
            _settings["Stripe:PublishableKey"] = "pk_test_fake_key_for_tests";
            _settings["Stripe:ApiBase"] = stripe.Url;
            _settings["Stripe:MaxNetworkRetries"] = "0";
            _settings["Stripe:RequestTimeout"] = "00:00:02";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public StripeStub? Stripe { get; }

    public string DatabasePath => Path.Combine(_directory, "shop.db");

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
    public ShopDbContext OpenDatabase()
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>().UseSqlite($"Data Source={DatabasePath}").Options;
        return new ShopDbContext(options);
    }

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
            // Pooled connections keep the file open: a restarted shop, or the folder's deletion, needs them closed.
            SqliteConnection.ClearAllPools();
            if (_ownsDirectory && Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
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
