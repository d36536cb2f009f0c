using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Emulator.Inbox;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Email;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The real shop with its outbox sender pointed at a real SMTP server (the dev inbox on 127.0.0.1). The shop's clock is
/// a FakeTimeProvider the test moves (backoff, leases, Smtp:GiveUpAfter), and its database can be made to fail. The
/// shop can be restarted on the same database and clock, with or without SMTP configured.
/// </summary>
public sealed class ShopWithInbox : IAsyncDisposable
{
    public const string ShopUrl = "https://shop.test/";
    public const string FromAddress = "orders@shop.test";

    private readonly TestDatabase _database = TestDatabase.Create();
    private readonly string _currency;
    private ShopApp _app = null!;

    private ShopWithInbox(DevInbox inbox, string currency)
    {
        Inbox = inbox;
        _currency = currency;
    }

    public DevInbox Inbox { get; }

    public StripeStub Stripe { get; } = new();

    public ShopApp App => _app;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The shop's time, shared by restarts and other instances; it starts at the real time, so signatures are fresh.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public DatabaseFault DatabaseFault { get; } = new();

    public static async Task<ShopWithInbox> StartAsync(bool smtpConfigured = true, string currency = "usd")
    {
        var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 0, HttpPort = 0 });
        var shop = new ShopWithInbox(inbox, currency);
        shop.StartApp(smtpConfigured);
        return shop;
    }

    /// <summary>Stops the shop (its sender included) and starts a new one on the same database file.</summary>
    public async Task RestartAsync(bool smtpConfigured = true)
    {
        await StopAppAsync();
        StartApp(smtpConfigured);
    }

    /// <summary>A second shop instance on the same database, as a second server behind a load balancer would be.</summary>
    public ShopApp StartAnotherInstance() => new(Stripe, Settings(smtpConfigured: true), _database, TestServices);

    /// <summary>Checks out as the usual test customer, with another email address or name where given.</summary>
    public Task<PlacedOrder> PlaceOrderAsync(string slug = "canvas-tote", int quantity = 1, string? email = null, string? name = null)
    {
        var customer = new Dictionary<string, string>();
        if (email is not null)
        {
            customer["Input.Email"] = email;
        }

        if (name is not null)
        {
            customer["Input.Name"] = name;
        }

        return _app.PlaceOrderAsync(slug, quantity, customer);
    }

    /// <summary>Delivers a signed Stripe event about the order, as Stripe would, and expects it acknowledged.</summary>
    public async Task SendEventAsync(string fixture, PlacedOrder order, string? eventId = null, long? refunded = null)
    {
        var json = StripeWebhooks.Event(fixture, order.PaymentIntentId, order.Amount, order.Currency, order.PublicId, eventId,
            refunded is { } amount ? e => e["data"]!["object"]!["amount_refunded"] = JsonValue.Create(amount) : null);
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var response = await StripeWebhooks.PostAsync(Client, body, StripeWebhooks.Signature(body, at: Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Puts a failed email back in the queue, as support would.</summary>
    public async Task<bool> RequeueAsync(Guid id)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FailedEmails>().RequeueAsync(id, CancellationToken.None);
    }

    /// <summary>The outbox sender of this shop (or of <paramref name="instance"/>) as its health record shows it.</summary>
    public static WorkerStatus? SenderStatus(ShopApp instance) =>
        instance.Services.GetRequiredService<WorkerHealth>().Find(OutboxSender.WorkerName);

    public Task<WorkerStatus> WaitForSenderAsync(Func<WorkerStatus, bool> condition, ShopApp? instance = null) =>
        WaitForSenderOfAsync(instance ?? _app, condition);

    /// <summary>Moves the clock and wakes the sender, as a new email would, so it looks at once at what became due.</summary>
    public void AdvanceAndWake(TimeSpan by)
    {
        Clock.Advance(by);
        Wake(_app);
    }

    /// <summary>Moves the clock to the failing sender's retry time; its backoff ends and it tries again.</summary>
    public void AdvanceToSenderRetry(WorkerStatus failing) => Clock.Advance(failing.RetryAt!.Value - Clock.GetUtcNow());

    /// <summary>
    /// Returns once a working sender has ended the pass it was in (or, idle, one more that this wakes): whatever it was
    /// sending has reached the inbox, so counting messages then shows every send, a duplicate included.
    /// </summary>
    public Task SettleAsync(ShopApp? instance = null) => SettleSenderAsync(instance ?? _app);

    /// <summary><see cref="SettleAsync"/> for the sender of any shop instance, one of a cluster's say.</summary>
    public static async Task SettleSenderAsync(ShopApp instance)
    {
        var passes = (await WaitForSenderOfAsync(instance, _ => true)).CompletedPasses;
        Wake(instance);
        await WaitForSenderOfAsync(instance, s => s.CompletedPasses > passes);
    }

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = _app.OpenDatabase();
        return await db.Outbox.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync();
    }

    /// <summary>Waits until the outbox reaches a state (every row sent, say), or fails with the rows as they are.</summary>
    public Task<List<OutboxMessage>> WaitForOutboxAsync(Func<List<OutboxMessage>, bool> condition, TimeSpan? timeout = null) =>
        Poll.UntilAsync(OutboxAsync, condition,
            rows => string.Join("; ", rows.Select(r => $"{r.Kind} {r.Status} attempts={r.Attempts} error={r.LastError}")), timeout);

    public Task<CapturedEmail> WaitForEmailAsync(string subjectContains) =>
        Inbox.WaitForMessageAsync(m => m.Subject.Contains(subjectContains, StringComparison.Ordinal), TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        Stripe.Dispose();
        await Inbox.DisposeAsync();
        _database.Dispose();
    }

    private void StartApp(bool smtpConfigured)
    {
        _app = new ShopApp(Stripe, Settings(smtpConfigured), _database, TestServices);
        Client = _app.CreateClient();
    }

    private static async Task<WorkerStatus> WaitForSenderOfAsync(ShopApp instance, Func<WorkerStatus, bool> condition) =>
        (await Poll.UntilAsync(() => SenderStatus(instance), s => s is not null && condition(s), s => s?.ToString() ?? "not started"))!;

    private static void Wake(ShopApp instance) => instance.Services.GetRequiredService<OutboxSignal>().Notify();

    private void TestServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
        DatabaseFault.AddTo(services);
    }

    private Task StopAppAsync()
    {
        Client.Dispose();
        return _app.DisposeAsync().AsTask();
    }

    private Dictionary<string, string?> Settings(bool smtpConfigured)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Shop:Currency"] = _currency,
            ["Shop:PublicBaseUrl"] = ShopUrl,
            ["Smtp:From:Address"] = FromAddress,
            ["Smtp:From:DisplayName"] = "Shop",
            // Real time, for MailKit: a hung connection fails the test in seconds.
            ["Smtp:Timeout"] = "00:00:05",
            // The reconciler is not under test here, and moving the clock by days would run it once per minute of them.
            ["Reconciliation:Enabled"] = "false",
        };
        if (smtpConfigured)
        {
            settings["Smtp:Host"] = "127.0.0.1";
            settings["Smtp:Port"] = Inbox.SmtpPort.ToString(CultureInfo.InvariantCulture);
            settings["Smtp:Security"] = "None";
        }

        return settings;
    }
}
