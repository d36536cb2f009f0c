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
        // Only the database check's own commands fail: a background pass of the event writer that happened to run while
        // every command failed would rightly report itself unhealthy too (seen once), which is not what this test asks.
        _fault.Arm(sql => sql.Contains("__EFMigrationsHistory", StringComparison.Ordinal), () => new TimeoutException("injected: the database does not answer"));

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

    [Theory]
    [InlineData(PaymentReconciler.WorkerName, "\"LastReconciledAt\"")]
    [InlineData(EventCatchUp.WorkerName, "\"CatchUpCheckpoints\"")]
    public async Task Ready_answers_503_naming_a_stripe_worker_when_it_has_not_completed_a_pass_for_too_long(string worker, string itsQuery)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fault = new DatabaseFault();
        using var app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Reconciliation:Enabled"] = "true",
            ["Reconciliation:Interval"] = "00:01:00",
            ["Reconciliation:CatchUpInterval"] = "00:01:00",
            ["Logging:LogLevel:Shop.Web"] = "None",
        }, testServices: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            fault.AddTo(services);
        });
        _stripe.AnswerEvents([]);
        using var client = app.CreateClient();
        var health = app.Services.GetRequiredService<WorkerHealth>();
        await Poll.UntilAsync(() => health.Find(worker), w => w is { CompletedPasses: >= 1 }, w => $"{w}");
        var (freshStatus, fresh) = await GetAsync("/health/ready", client);
        fault.Arm(sql => sql.Contains(itsQuery, StringComparison.Ordinal), () => new TimeoutException("injected: " + worker));

        clock.Advance(TimeSpan.FromMinutes(16));
        await Poll.UntilAsync(() => health.Find(worker)!, w => w.ConsecutiveFailures >= 1, w => w.ToString());
        var (status, report) = await GetAsync("/health/ready", client);

        Assert.Equal(HttpStatusCode.OK, freshStatus);
        Assert.Equal("Healthy", CheckStatus(fresh, worker));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(report, worker));
        Assert.Contains("injected", report.GetProperty("checks").GetProperty(worker).GetProperty("data").GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "HTTP 401")]
    [InlineData(HttpStatusCode.Forbidden, "HTTP 403")]
    public async Task A_key_stripe_rejects_makes_ready_unhealthy_naming_stripe_without_the_key_until_stripe_answers_again(HttpStatusCode rejection, string reason)
    {
        var catchUp = _app.Services.GetRequiredService<EventCatchUp>();
        _stripe.AnswerEvents([]);
        _stripe.RejectKey(rejection);
        await catchUp.CatchUpAsync(CancellationToken.None);

        var (status, report) = await GetAsync("/health/ready");
        _stripe.AcceptKey();
        await catchUp.CatchUpAsync(CancellationToken.None);
        var (laterStatus, later) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(report, "stripe"));
        Assert.Contains(reason, report.GetProperty("checks").GetProperty("stripe").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("_test_", report.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Healthy", CheckStatus(report, "event-writer"));
        Assert.Equal(HttpStatusCode.OK, laterStatus);
        Assert.Equal("Healthy", CheckStatus(later, "stripe"));
    }

    [Fact]
    public async Task Stripe_not_answering_degrades_ready_without_failing_it()
    {
        _stripe.AnswerEvents([]);
        _stripe.FailListingsAfter(0);

        await _app.Services.GetRequiredService<EventCatchUp>().CatchUpAsync(CancellationToken.None);
        var (status, report) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", CheckStatus(report, "stripe"));
    }

    [Fact]
    public async Task An_anonymous_request_through_a_proxy_sees_each_checks_status_and_no_details()
    {
        using var proxied = _app.CreateClient();
        proxied.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        var (status, report) = await GetAsync("/health/ready", proxied);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", CheckStatus(report, "database"));
        Assert.All(report.GetProperty("checks").EnumerateObject(), check => Assert.Equal(["status"], check.Value.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task A_signed_in_admin_through_a_proxy_sees_the_details()
    {
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();
        admin.Client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        var (status, report) = await GetAsync("/health/ready", admin.Client);

        Assert.Equal(HttpStatusCode.OK, status);
        await using var db = _app.OpenDatabase();
        Assert.Equal(db.Database.ProviderName,
            report.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("provider").GetString());
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
