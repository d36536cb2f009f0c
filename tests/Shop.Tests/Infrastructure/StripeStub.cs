using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// WireMock.Net speaking HTTP as api.stripe.com for the PaymentIntent calls the shop makes. It answers like Stripe
/// (form-encoded requests in, Stripe's JSON out) and records every request so tests can assert what Stripe would see.
/// </summary>
public sealed class StripeStub : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public StripeStub() => AnswerNormally();

    public string Url => _server.Urls[0];

    /// <summary>Requests that reached the stub, oldest first.</summary>
    public IReadOnlyList<ILogEntry> Requests => _server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).ToList();

    public IReadOnlyList<StripeRequest> PaymentIntentCreations => Posts("/v1/payment_intents");

    public IReadOnlyList<StripeRequest> PaymentIntentUpdates =>
        Requests.Where(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path.StartsWith("/v1/payment_intents/pi_", StringComparison.Ordinal))
            .Select(StripeRequest.From).ToList();

    /// <summary>Answers creates and updates the way Stripe does, echoing the amount sent.</summary>
    public void AnswerNormally()
    {
        _server.Reset();
        _server.Given(Request.Create().WithPath("/v1/payment_intents").UsingPost())
            .RespondWith(Response.Create().WithCallback(request => PaymentIntentResponse(request, NewPaymentIntentId(request))));
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/v1/payment_intents/pi_[A-Za-z0-9]+$")).UsingPost())
            .RespondWith(Response.Create().WithCallback(request => PaymentIntentResponse(request, request.Path.Split('/').Last())));
    }

    /// <summary>
    /// Answers GET /v1/payment_intents/{id} with the PaymentIntent in this state, as the reconciliation job reads it: with its
    /// latest charge expanded once it succeeded (refunded by <paramref name="refunded"/>), and that charge's dispute, if any,
    /// listed by GET /v1/disputes.
    /// </summary>
    public void AnswerRetrieve(string paymentIntentId, string status, long amount, string currency = "usd", string? declineCode = null,
        long refunded = 0, string? disputeStatus = null)
    {
        var lastError = declineCode is null ? null : new { type = "card_error", code = "card_declined", decline_code = declineCode, message = "Your card was declined.", charge = "ch_declined_" + paymentIntentId[3..] };
        var chargeId = "ch_" + paymentIntentId[3..];
        object? latestCharge = status != "succeeded" ? null : new Dictionary<string, object?>
        {
            ["id"] = chargeId,
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = amount,
            ["amount_refunded"] = refunded,
            ["captured"] = true,
            ["currency"] = currency,
            ["disputed"] = disputeStatus is not null,
            ["paid"] = true,
            ["payment_intent"] = paymentIntentId,
            ["refunded"] = refunded >= amount,
            ["status"] = "succeeded",
        };
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = paymentIntentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_received"] = status == "succeeded" ? amount : 0,
            ["currency"] = currency,
            ["status"] = status,
            ["client_secret"] = paymentIntentId + "_secret_stub",
            ["last_payment_error"] = lastError,
            ["latest_charge"] = latestCharge,
            ["livemode"] = false,
        });
        _server.Given(Request.Create().WithPath("/v1/payment_intents/" + paymentIntentId).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(body));
        if (disputeStatus is not null)
        {
            var dispute = new Dictionary<string, object?>
            {
                ["id"] = "du_" + paymentIntentId[3..],
                ["object"] = "dispute",
                ["amount"] = amount,
                ["charge"] = chargeId,
                ["currency"] = currency,
                ["evidence_details"] = new { due_by = DateTimeOffset.UtcNow.AddDays(9).ToUnixTimeSeconds(), has_evidence = false, past_due = false, submission_count = 0 },
                ["payment_intent"] = paymentIntentId,
                ["reason"] = "fraudulent",
                ["status"] = disputeStatus,
            };
            _server.Given(Request.Create().WithPath("/v1/disputes").WithParam("payment_intent", paymentIntentId).UsingGet())
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
                    .WithBody(JsonSerializer.Serialize(new { @object = "list", data = new[] { dispute }, has_more = false, url = "/v1/disputes" })));
        }
    }

    /// <summary>
    /// Answers GET /v1/events with these events (JSON, in the order they happened) as Stripe lists them: newest first, in
    /// pages of <paramref name="pageSize"/>, continued with starting_after.
    /// </summary>
    public void AnswerEvents(IReadOnlyList<string> events, int pageSize = 100)
    {
        var newestFirst = events.Select(e => JsonDocument.Parse(e).RootElement.Clone()).Reverse().ToList();
        _server.Given(Request.Create().WithPath("/v1/events").UsingGet())
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var query = request.Query ?? new Dictionary<string, WireMockList<string>>();
                var after = query.TryGetValue("starting_after", out var a) ? a.FirstOrDefault() : null;
                var start = after is null ? 0 : newestFirst.FindIndex(e => e.GetProperty("id").GetString() == after) + 1;
                var page = newestFirst.Skip(start).Take(pageSize).ToList();
                var body = JsonSerializer.Serialize(new { @object = "list", data = page, has_more = start + page.Count < newestFirst.Count, url = "/v1/events" });
                return new ResponseMessage
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                    BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = System.Text.Encoding.UTF8 },
                };
            }));
    }

    public int EventListings => Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/events");

    public int RetrievesOf(string paymentIntentId) =>
        Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/payment_intents/" + paymentIntentId);

    /// <summary>Every PaymentIntent call fails with this status and a Stripe error body.</summary>
    public void FailWith(HttpStatusCode status, string type = "api_error", string? code = null)
    {
        _server.Reset();
        var error = JsonSerializer.Serialize(new { error = new { type, code, message = "Stub failure " + (int)status } });
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/v1/payment_intents*")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(error));
    }

    /// <summary>Every PaymentIntent call answers only after this delay, to exceed the shop's request timeout.</summary>
    public void AnswerAfter(TimeSpan delay)
    {
        _server.Reset();
        _server.Given(Request.Create().WithPath("/v1/payment_intents").UsingPost())
            .RespondWith(Response.Create().WithDelay(delay).WithCallback(request => PaymentIntentResponse(request, NewPaymentIntentId(request))));
    }

    public void Dispose() => _server.Stop();

    private List<StripeRequest> Posts(string path) =>
        Requests.Where(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path == path).Select(StripeRequest.From).ToList();

    // The same idempotency key gets the same PaymentIntent, as Stripe guarantees.
    private static string NewPaymentIntentId(IRequestMessage request) =>
        "pi_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(request.Headers?["Idempotency-Key"].FirstOrDefault() ?? Guid.NewGuid().ToString())))[..24];

    private static ResponseMessage PaymentIntentResponse(IRequestMessage request, string id)
    {
        var form = QueryHelpers.ParseQuery(request.Body ?? "");
        var amount = long.Parse(form.TryGetValue("amount", out var a) ? a.ToString() : "0", System.Globalization.CultureInfo.InvariantCulture);
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["currency"] = form.TryGetValue("currency", out var c) ? c.ToString() : "usd",
            ["client_secret"] = id + "_secret_stub",
            ["status"] = "requires_payment_method",
            ["livemode"] = false,
            ["metadata"] = new Dictionary<string, string>(),
        });
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json"), ["Request-Id"] = new("req_stub") },
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = System.Text.Encoding.UTF8 },
        };
    }
}

/// <summary>One request as Stripe would have received it: its form fields and headers.</summary>
public sealed record StripeRequest(string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string? Authorization)
{
    public static StripeRequest From(ILogEntry entry)
    {
        var message = entry.RequestMessage;
        var form = QueryHelpers.ParseQuery(message.Body ?? "").ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        return new StripeRequest(
            message.Path,
            form,
            message.Headers?.TryGetValue("Idempotency-Key", out var key) == true ? key.FirstOrDefault() : null,
            message.Headers?.TryGetValue("Authorization", out var auth) == true ? auth.FirstOrDefault() : null);
    }
}
