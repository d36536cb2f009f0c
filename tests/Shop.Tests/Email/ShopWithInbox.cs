using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shop.Emulator.Inbox;
using Shop.Tests.Infrastructure;
using Shop.Web.Email;

namespace Shop.Tests.Email;

/// <summary>
/// The real shop with its outbox sender pointed at a real SMTP server (the dev inbox on 127.0.0.1), and short
/// poll and retry times so failures and recoveries play out in a test's seconds. The shop can be restarted on the
/// same database, with or without SMTP configured.
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
    public ShopApp StartAnotherInstance() => new(Stripe, Settings(smtpConfigured: true), _database);

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
        Assert.Equal(HttpStatusCode.OK, await StripeWebhooks.SendAsync(Client, json));
    }

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = _app.OpenDatabase();
        return await db.Outbox.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync();
    }

    /// <summary>Waits until the outbox reaches a state (every row sent, say), or fails with the rows as they are.</summary>
    public async Task<List<OutboxMessage>> WaitForOutboxAsync(Func<List<OutboxMessage>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var rows = await OutboxAsync();
            if (condition(rows))
            {
                return rows;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail("The outbox did not reach the expected state; it holds: " +
                    string.Join("; ", rows.Select(r => $"{r.Kind} {r.Status} attempts={r.Attempts} error={r.LastError}")));
            }

            await Task.Delay(50);
        }
    }

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
        _app = new ShopApp(Stripe, Settings(smtpConfigured), _database);
        Client = _app.CreateClient();
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
            ["Smtp:PollInterval"] = "00:00:00.100",
            ["Smtp:RetryBaseDelay"] = "00:00:00.200",
            ["Smtp:RetryMaxDelay"] = "00:00:01",
            ["Smtp:Timeout"] = "00:00:05",
            ["Smtp:LeaseDuration"] = "00:00:30",
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
