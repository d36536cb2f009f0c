using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shop.Tests.Infrastructure;
using Shop.Web.BackgroundWork;
using Shop.Web.Data;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;

namespace Shop.Tests.BackgroundWork;

/// <summary>A fault in the payment workers (the event writer, reconciliation) costs the shop nothing but time.</summary>
public sealed class PaymentWorkerFaultTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly DatabaseFault _fault = new();
    private readonly ShopApp _app;
    private readonly HttpClient _client;

    public PaymentWorkerFaultTests()
    {
        _app = new ShopApp(_stripe, new Dictionary<string, string?>
        {
            ["Reconciliation:Enabled"] = "true",
            ["Reconciliation:After"] = "00:00:00",
            ["Reconciliation:Interval"] = "00:01:00",
            ["Reconciliation:CatchUpInterval"] = "1.00:00:00",
            ["Reconciliation:MaxRequestsPerSecond"] = "100",
            ["Logging:LogLevel:Shop.Web.BackgroundWork"] = "None",
            ["Logging:LogLevel:Shop.Web.Payments"] = "None",
        }, testServices: services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            _fault.AddTo(services);
        });
        _client = _app.CreateClient();
    }

    [Fact]
    public async Task A_failing_database_under_the_writer_answers_503_and_the_writer_works_again_when_it_recovers()
    {
        var order = await _app.PlaceOrderAsync();
        var json = StripeWebhooks.Event("payment_intent.succeeded", order.PaymentIntentId, order.Amount);
        _fault.Arm(sql => sql.Contains("\"StripeEvents\"", StringComparison.Ordinal), () => new TimeoutException("injected: the database does not answer"));

        var duringFault = await PostAsync(json);
        using var home = await _client.GetAsync("/");
        _fault.Clear();
        var afterFault = await PostAsync(json);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringFault);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterFault);
        await ServingProbe.AssertServingAsync(_app, _client, _clock.GetUtcNow());
        await using var db = _app.OpenDatabase();
        Assert.Equal(OrderStatus.Paid, (await db.Orders.SingleAsync()).Status);
    }

    [Fact]
    public async Task A_throwing_reconciliation_pass_leaves_the_shop_serving_and_the_next_pass_reconciles()
    {
        var order = await _app.PlaceOrderAsync();
        _stripe.AnswerRetrieve(order.PaymentIntentId, "succeeded", order.Amount);
        var health = _app.Services.GetRequiredService<WorkerHealth>();
        var passesBefore = health.Find(PaymentReconciler.WorkerName)?.CompletedPasses ?? 0;
        _fault.Arm(sql => sql.TrimStart().StartsWith("SELECT", StringComparison.Ordinal) && sql.Contains("\"LastReconciledAt\" IS NULL", StringComparison.Ordinal),
            () => new InvalidOperationException("injected: a bug in the reconciliation query"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        var failing = await Poll.UntilAsync(() => health.Find(PaymentReconciler.WorkerName)!, w => w.ConsecutiveFailures >= 1, w => w.ToString());
        await ServingProbe.AssertServingAsync(_app, _client, _clock.GetUtcNow());
        _fault.Clear();
        _clock.Advance(failing.RetryAt!.Value - _clock.GetUtcNow());

        var recovered = await Poll.UntilAsync(() => health.Find(PaymentReconciler.WorkerName)!, w => w.CompletedPasses > passesBefore && w.ConsecutiveFailures == 0, w => w.ToString());
        Assert.Contains("injected", failing.LastError, StringComparison.Ordinal);
        Assert.NotNull(recovered.LastSuccessAt);
        await Poll.UntilAsync(async () =>
        {
            await using var db = _app.OpenDatabase();
            return (await db.Orders.SingleAsync()).Status;
        }, status => status == OrderStatus.Paid, status => status.ToString());
    }

    private async Task<HttpStatusCode> PostAsync(string json)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var response = await StripeWebhooks.PostAsync(_client, body, StripeWebhooks.Signature(body, at: _clock.GetUtcNow()));
        return response.StatusCode;
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _stripe.Dispose();
    }
}
