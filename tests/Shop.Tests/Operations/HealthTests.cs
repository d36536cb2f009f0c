using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.BackgroundWork;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Tests.Operations;

/// <summary>/health/live and /health/ready as a load balancer and an operator see them.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly DatabaseFault _fault = new();
    private readonly ShopApp _app;
    private readonly HttpClient _client;

    public HealthTests()
    {
        _app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
            ["Logging:LogLevel:Shop.Web"] = "None",
        }, testServices: services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            _fault.AddTo(services);
        });
        _client = _app.CreateClient();
    }

    [Fact]
    public async Task Ready_answers_200_with_each_check_and_its_status_when_the_shop_works()
    {
        var (status, report) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", CheckStatus(report, "database"));
        Assert.Equal("Healthy", CheckStatus(report, "event-writer"));
        Assert.Equal("Healthy", CheckStatus(report, "outbox"));
        Assert.Equal("Healthy", CheckStatus(report, "reconciliation"));
        // No SMTP server configured here: degraded, which still answers 200.
        Assert.Equal("Degraded", CheckStatus(report, "smtp"));
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_database_when_the_database_does_not_answer_while_live_stays_200()
    {
        await GetAsync("/health/ready");
        _fault.Arm(_ => true, () => new TimeoutException("injected: the database does not answer"));

        var (status, report) = await GetAsync("/health/ready");
        var (liveStatus, _) = await GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(report, "database"));
        Assert.Contains("injected", report.GetProperty("checks").GetProperty("database").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", CheckStatus(report, "event-writer"));
        Assert.Equal(HttpStatusCode.OK, liveStatus);
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_event_writer_when_it_has_stopped()
    {
        // Since .NET 10 a BackgroundService starts its ExecuteAsync through Task.Run: stopped before that ran, its task ends
        // Canceled, which the host (not itself stopping) takes for a crash and stops the whole shop. Wait for the loop first.
        var health = _app.Services.GetRequiredService<WorkerHealth>();
        await Poll.UntilAsync(() => health.Find(StripeEventWriter.WorkerName), w => w is not null, w => $"{w}");
        await _app.Services.GetRequiredService<StripeEventWriter>().StopAsync(CancellationToken.None);

        var (status, report) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(report, "event-writer"));
        Assert.Equal("Healthy", CheckStatus(report, "database"));
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_outbox_when_an_email_has_been_due_longer_than_allowed()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount);
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var paid = await StripeWebhooks.PostAsync(_client, body, StripeWebhooks.Signature(body, at: _clock.GetUtcNow()));
        var (freshStatus, _) = await GetAsync("/health/ready");

        _clock.Advance(TimeSpan.FromMinutes(16));
        var (status, report) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(HttpStatusCode.OK, freshStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var outbox = report.GetProperty("checks").GetProperty("outbox");
        Assert.Equal("Unhealthy", outbox.GetProperty("status").GetString());
        Assert.Equal(1, outbox.GetProperty("data").GetProperty("due").GetInt32());
    }

    [Fact]
    public async Task An_unreachable_smtp_server_degrades_ready_without_failing_it()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var app = new ShopApp(settings: new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Logging:LogLevel:Shop.Web"] = "None",
        });
        using var client = app.CreateClient();

        var (status, report) = await GetAsync("/health/ready", client);

        Assert.Equal(HttpStatusCode.OK, status);
        var smtp = report.GetProperty("checks").GetProperty("smtp");
        Assert.Equal("Degraded", smtp.GetProperty("status").GetString());
        Assert.Equal($"127.0.0.1:{port}", smtp.GetProperty("data").GetProperty("server").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_naming_reconciliation_when_no_pass_has_completed_for_too_long()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fault = new DatabaseFault();
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Reconciliation:Enabled"] = "true",
            ["Reconciliation:Interval"] = "00:01:00",
            ["Reconciliation:CatchUpInterval"] = "1.00:00:00",
            ["Logging:LogLevel:Shop.Web"] = "None",
        }, testServices: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            fault.AddTo(services);
        });
        using var client = app.CreateClient();
        var health = app.Services.GetRequiredService<WorkerHealth>();
        await Poll.UntilAsync(() => health.Find(PaymentReconciler.WorkerName), w => w is { CompletedPasses: >= 1 }, w => $"{w}");
        var (freshStatus, fresh) = await GetAsync("/health/ready", client);
        fault.Arm(sql => sql.Contains("\"LastReconciledAt\"", StringComparison.Ordinal), () => new TimeoutException("injected: reconciliation query"));

        clock.Advance(TimeSpan.FromMinutes(16));
        await Poll.UntilAsync(() => health.Find(PaymentReconciler.WorkerName)!, w => w.ConsecutiveFailures >= 1, w => w.ToString());
        var (status, report) = await GetAsync("/health/ready", client);

        Assert.Equal(HttpStatusCode.OK, freshStatus);
        Assert.Equal("Healthy", CheckStatus(fresh, "reconciliation"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(report, "reconciliation"));
        Assert.Contains("injected", report.GetProperty("checks").GetProperty("reconciliation").GetProperty("data").GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    private Task<(HttpStatusCode, JsonElement)> GetAsync(string path) => GetAsync(path, _client);

    private static async Task<(HttpStatusCode, JsonElement)> GetAsync(string path, HttpClient client)
    {
        using var response = await client.GetAsync(path);
        var json = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(json).RootElement.Clone());
    }

    private static string? CheckStatus(JsonElement report, string check) =>
        report.GetProperty("checks").GetProperty(check).GetProperty("status").GetString();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _stripe.Dispose();
    }
}
