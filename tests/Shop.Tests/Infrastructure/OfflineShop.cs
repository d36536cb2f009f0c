using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Emulator.Inbox;
using Shop.Emulator.Stripe;
using Shop.Web.Admin;
using Shop.Web.OfflineMode;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The shop as `dotnet run` starts it on a fresh clone: offline mode, its Stripe emulator and inbox in-process (webhooks
/// over HTTP, emails over SMTP), on a real loopback port. What it logs is kept, the local admin's password among it.
/// </summary>
public sealed class OfflineShop : IAsyncDisposable
{
    private OfflineShop(ShopApp app, Uri url, CapturedLogs logs)
    {
        App = app;
        Url = url;
        Logs = logs;
    }

    public ShopApp App { get; }

    public Uri Url { get; }

    public CapturedLogs Logs { get; }

    public DevInbox Inbox => App.Services.GetRequiredService<OfflineModeHost>().Inbox;

    public StripeEmulatorServer Emulator => App.Services.GetRequiredService<OfflineModeHost>().Stripe;

    /// <summary>The local admin's password, as the shop printed it at start.</summary>
    public string AdminPassword => Logs.Entries.Single(e => e.Category == typeof(OfflineAdmin).FullName).Field("AdminPassword")!;

    /// <param name="database">A database from an earlier shop, to start again on the same data; by default a new one.</param>
    public static OfflineShop Start(IDictionary<string, string?>? settings = null, TestDatabase? database = null)
    {
        var logs = new CapturedLogs();
        var app = new ShopApp(settings: Settings(settings), database: database, testServices: services => services.AddSingleton<ILoggerProvider>(logs));
        // An explicit loopback listener on port 0: UseKestrel(0) fell back to Kestrel's default http://localhost:5000,
        // which collides with a shop a developer (or another test run) already has there.
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new OfflineShop(app, new Uri(address), logs);
    }

    /// <summary>Offline mode on free ports, with the local admin's start-up line logged.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OfflineMode:Enabled"] = "true",
            ["OfflineMode:StripePort"] = "0",
            ["OfflineMode:SmtpPort"] = "0",
            ["OfflineMode:InboxPort"] = "0",
            [$"Logging:LogLevel:{typeof(OfflineAdmin).FullName}"] = "Information",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A browser-like client over real HTTP: keeps cookies, does not follow redirects.</summary>
    public ShopSession NewSession() =>
        new(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = Url });

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
