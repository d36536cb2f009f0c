// Over 300 lines on purpose: every PaymentIntent and refund call the shop makes, answered as Stripe would, with the faults
// tests inject (delays, lost answers, idempotency errors).
using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// WireMock.Net speaking HTTP as api.stripe.com for the PaymentIntent calls the shop makes. It answers like Stripe
/// (form-encoded requests in, Stripe's JSON out), keeps each PaymentIntent's state as Stripe would (updates refused once
/// a payment has started, cancellation, idempotency keys bound to their first parameters) and records every request so
/// tests can assert what Stripe would see.
/// </summary>
public sealed partial class StripeStub : IDisposable
{
    private static readonly Guid s_keyRejection = Guid.Parse("5d1c6c1e-0000-4000-8000-000000000401");

    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly ConcurrentDictionary<string, PaymentIntentState> _paymentIntents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StripeRequest> _posts = new();
    private readonly ConcurrentDictionary<string, string> _refundsByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Dictionary<string, object?>> _refunds = new();
    private volatile Failure? _failure;
    private TimeSpan _creationDelay;
    private int _idempotencyErrorsToSend;
    private int _refundAnswersToLose;
    private (string PaymentIntentId, string Status)? _afterNextRetrieve;
    private int _listPagesBeforeOutage = -1;

    public StripeStub()
    {
        _server.Given(Request.Create().WithPath(new WildcardMatcher("/v1/payment_intents*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(AnswerAsync));
        _server.Given(Request.Create().WithPath("/v1/disputes").UsingGet())
            .RespondWith(Response.Create().WithCallback(AnswerDisputes));
        _server.Given(Request.Create().WithPath("/v1/refunds").UsingPost())
            .RespondWith(Response.Create().WithCallback(AnswerRefund));
        _server.Given(Request.Create().WithPath("/v1/refunds").UsingGet())
            .RespondWith(Response.Create().WithCallback(ListRefunds));
    }

    public string Url => _server.Urls[0];

    /// <summary>Requests that reached the stub, oldest first.</summary>
    public IReadOnlyList<ILogEntry> Requests => _server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).ToList();

    public IReadOnlyList<StripeRequest> PaymentIntentCreations => Posts(path => path == "/v1/payment_intents");

    public IReadOnlyList<StripeRequest> PaymentIntentUpdates => Posts(path => UpdatePath().IsMatch(path));

    public IReadOnlyList<StripeRequest> PaymentIntentCancellations => Posts(path => CancelPath().IsMatch(path));

    /// <summary>POST /v1/refunds as sent, retries and double submits included.</summary>
    public IReadOnlyList<StripeRequest> RefundRequests => Posts(path => path == "/v1/refunds");

    /// <summary>The refunds Stripe made: one per idempotency key.</summary>
    public IReadOnlyCollection<string> RefundsMade => _refunds.Select(r => (string)r["id"]!).ToList();

    /// <summary>Answers every call the way Stripe does, echoing the amount sent (and ends <see cref="FailWith"/> and <see cref="AnswerAfter"/>).</summary>
    public void AnswerNormally()
    {
        _failure = null;
        _creationDelay = TimeSpan.Zero;
    }

    /// <summary>
    /// Puts a PaymentIntent in this state, as the reconciliation job or checkout will read it: once succeeded, with its latest
    /// charge (refunded by <paramref name="refunded"/>) expanded when asked, and that charge's dispute, if any, listed by
    /// GET /v1/disputes.
    /// </summary>
    public void AnswerRetrieve(string paymentIntentId, string status, long amount, string currency = "usd", string? declineCode = null,
        long refunded = 0, string? disputeStatus = null) =>
        _paymentIntents[paymentIntentId] = new PaymentIntentState(amount, currency, status, declineCode, refunded, disputeStatus);

    /// <summary>Moves a PaymentIntent on, as the customer's Payment Element does (3-D Secure, a bank debit, a success) before any webhook.</summary>
    public void SetStatus(string paymentIntentId, string status) =>
        _paymentIntents.AddOrUpdate(paymentIntentId, _ => throw new InvalidOperationException($"No PaymentIntent {paymentIntentId}"), (_, pi) => pi with { Status = status });

    /// <summary>The customer's payment moves on right after the shop's next read of this PaymentIntent, as if in another tab.</summary>
    public void SetStatusAfterNextRetrieve(string paymentIntentId, string status) => _afterNextRetrieve = (paymentIntentId, status);

    public string StatusOf(string paymentIntentId) => _paymentIntents[paymentIntentId].Status;

    /// <summary>
    /// Answers GET /v1/events with these events (JSON, in the order they happened) as Stripe lists them: newest first, in
    /// pages of <paramref name="pageSize"/>, continued with starting_after.
    /// </summary>
    public void AnswerEvents(IReadOnlyList<string> events, int pageSize = 100)
    {
        var newestFirst = events.Select(e => JsonDocument.Parse(e).RootElement.Clone()).Reverse().ToList();
        AnswerList("/v1/events", newestFirst, pageSize);
    }

    /// <summary>The list endpoints answer <paramref name="pages"/> more pages, then every request fails with a 500 until
    /// <see cref="EndListingOutage"/>: Stripe going away in the middle of a listing.</summary>
    public void FailListingsAfter(int pages) => Volatile.Write(ref _listPagesBeforeOutage, pages);

    public void EndListingOutage() => Volatile.Write(ref _listPagesBeforeOutage, -1);

    public int EventListings => Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/events");

    /// <summary>Answers GET /v1/webhook_endpoints with these endpoints (see <see cref="WebhookEndpoint"/>), in pages of <paramref name="pageSize"/>.</summary>
    public void AnswerWebhookEndpoints(IReadOnlyList<Dictionary<string, object?>> endpoints, int pageSize = 100) =>
        AnswerList("/v1/webhook_endpoints", endpoints.Select(e => JsonSerializer.SerializeToElement(e)).ToList(), pageSize);

    /// <summary>GET /v1/webhook_endpoints fails with this status and a Stripe error body.</summary>
    public void FailWebhookEndpoints(HttpStatusCode status, string type, string message) =>
        _server.Given(Request.Create().WithPath("/v1/webhook_endpoints").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Error(new Failure(status, type, null, message))));

    public int WebhookEndpointListings => Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/webhook_endpoints");

    /// <summary>A webhook endpoint as Stripe lists it.</summary>
    public static Dictionary<string, object?> WebhookEndpoint(string id, string url, string? apiVersion, IEnumerable<string> enabledEvents, string status = "enabled") => new()
    {
        ["id"] = id,
        ["object"] = "webhook_endpoint",
        ["api_version"] = apiVersion,
        ["application"] = null,
        ["created"] = 1_780_000_000,
        ["description"] = null,
        ["enabled_events"] = enabledEvents.ToArray(),
        ["livemode"] = false,
        ["metadata"] = new Dictionary<string, string>(),
        ["status"] = status,
        ["url"] = url,
    };

    /// <summary>A list endpoint as Stripe pages it: newest first, <paramref name="pageSize"/> at a time, continued with starting_after.</summary>
    private void AnswerList(string path, List<JsonElement> newestFirst, int pageSize) =>
        _server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithCallback(request =>
            {
                if (Volatile.Read(ref _listPagesBeforeOutage) == 0)
                {
                    return Error(new Failure(HttpStatusCode.InternalServerError, "api_error", null, "Stub outage"));
                }

                if (Volatile.Read(ref _listPagesBeforeOutage) > 0)
                {
                    Interlocked.Decrement(ref _listPagesBeforeOutage);
                }

                var query = request.Query ?? new Dictionary<string, WireMockList<string>>();
                var after = query.TryGetValue("starting_after", out var a) ? a.FirstOrDefault() : null;
                var start = after is null ? 0 : newestFirst.FindIndex(e => e.GetProperty("id").GetString() == after) + 1;
                var page = newestFirst.Skip(start).Take(pageSize).ToList();
                return Json(200, new { @object = "list", data = page, has_more = start + page.Count < newestFirst.Count, url = path });
            }));

    public int RetrievesOf(string paymentIntentId) =>
        Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/payment_intents/" + paymentIntentId);

    /// <summary>
    /// Every request is refused as Stripe refuses a revoked key (401) or a restricted key without the right permissions (403),
    /// its message naming part of the key as Stripe's does, until <see cref="AcceptKey"/>.
    /// </summary>
    public void RejectKey(HttpStatusCode status)
    {
        var message = status == HttpStatusCode.Unauthorized
            ? "Invalid API Key provided: sk_test_****************ests"
            : "The provided key 'rk_test_****************ests' does not have the required permissions for this endpoint.";
        // Before every other mapping (the lowest number wins), including ones a test adds later.
        _server.Given(Request.Create().WithPath(new WildcardMatcher("/v1/*")).UsingAnyMethod()).WithGuid(s_keyRejection).AtPriority(-1000)
            .RespondWith(Response.Create().WithCallback(_ => Error(new Failure(status, "invalid_request_error", null, message))));
    }

    public void AcceptKey() => _server.DeleteMapping(s_keyRejection);

    /// <summary>Every PaymentIntent POST fails with this status and a Stripe error body.</summary>
    public void FailWith(HttpStatusCode status, string type = "api_error", string? code = null) =>
        _failure = new Failure(status, type, code, "Stub failure " + (int)status);

    /// <summary>Every PaymentIntent creation answers only after this delay, to exceed the shop's request timeout. Stripe has it (and its key) all the same.</summary>
    public void AnswerAfter(TimeSpan delay) => _creationDelay = delay;

    /// <summary>
    /// The next refund is made, but its answer is lost: a 500 comes back instead, as when Stripe (or something between)
    /// fails after the work is done. The same idempotency key then gets that refund.
    /// </summary>
    /// <summary>Stripe keeps idempotency keys for about 24 hours: after that the same key makes a new object.</summary>
    public void ForgetIdempotencyKeys()
    {
        _idempotencyKeys.Clear();
        _refundsByKey.Clear();
    }

    public int RefundListings => Requests.Count(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/v1/refunds");

    public void LoseTheAnswerToTheNextRefund() => Interlocked.Exchange(ref _refundAnswersToLose, 1);

    /// <summary>The next creation is refused as if its key had been used before with other parameters.</summary>
    public void AnswerIdempotencyErrorToNextCreation() => Interlocked.Exchange(ref _idempotencyErrorsToSend, 1);

    public void Dispose() => _server.Stop();

    // Recorded on arrival, as Stripe sees them: WireMock logs a request only once it has answered, after any delay.
    private List<StripeRequest> Posts(Func<string, bool> path) => _posts.Where(r => path(r.Path)).ToList();

    private async Task<IResponseMessage> AnswerAsync(IRequestMessage request)
    {
        var id = request.Path.Split('/').ElementAtOrDefault(3);
        if (request.Method == "GET")
        {
            if (id is null || !_paymentIntents.TryGetValue(id, out var found))
            {
                return Error(new Failure(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));
            }

            var answer = Json(200, PaymentIntentJson(id, found));
            if (_afterNextRetrieve is { } next && next.PaymentIntentId == id)
            {
                _afterNextRetrieve = null;
                SetStatus(id, next.Status);
            }

            return answer;
        }

        _posts.Enqueue(StripeRequest.From(request));
        if (_failure is { } failure)
        {
            return Error(failure);
        }

        // Stripe binds a key to the first request's parameters for 24 hours, even when that request timed out on the client.
        var key = request.Headers?.TryGetValue("Idempotency-Key", out var keys) == true ? keys.FirstOrDefault() : null;
        if (key is not null && _idempotencyKeys.GetOrAdd(key, request.Path + "?" + request.Body) != request.Path + "?" + request.Body)
        {
            return Error(s_idempotencyError);
        }

        var form = QueryHelpers.ParseQuery(request.Body ?? "");
        if (id is null)
        {
            if (Interlocked.Exchange(ref _idempotencyErrorsToSend, 0) == 1)
            {
                return Error(s_idempotencyError);
            }

            await Task.Delay(_creationDelay);
            id = NewPaymentIntentId(key);
            var created = _paymentIntents.GetOrAdd(id, _ => new PaymentIntentState(Amount(form), form.TryGetValue("currency", out var c) ? c.ToString() : "usd", "requires_payment_method"));
            return Json(200, PaymentIntentJson(id, created));
        }

        lock (_paymentIntents)
        {
            if (!_paymentIntents.TryGetValue(id, out var current))
            {
                return Error(new Failure(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));
            }

            if (request.Path.EndsWith("/cancel", StringComparison.Ordinal))
            {
                if (current.Status is not ("requires_payment_method" or "requires_confirmation" or "requires_action" or "requires_capture"))
                {
                    return Error(UnexpectedState(current.Status));
                }

                current = _paymentIntents[id] = current with { Status = "canceled" };
                return Json(200, PaymentIntentJson(id, current));
            }

            if (current.Status is "processing" or "requires_capture" or "succeeded" or "canceled")
            {
                return Error(UnexpectedState(current.Status));
            }

            current = _paymentIntents[id] = current with { Amount = form.ContainsKey("amount") ? Amount(form) : current.Amount };
            return Json(200, PaymentIntentJson(id, current));
        }
    }

    private static readonly Failure s_idempotencyError = new(HttpStatusCode.BadRequest, "idempotency_error", null,
        "Keys for idempotent requests can only be used with the same parameters they were first used with.");

    private static Failure UnexpectedState(string status) => new(HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state",
        $"This PaymentIntent's status is {status}, which does not allow this request.");

    private static long Amount(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form) =>
        long.Parse(form.TryGetValue("amount", out var a) ? a.ToString() : "0", System.Globalization.CultureInfo.InvariantCulture);

    // The same idempotency key gets the same PaymentIntent, as Stripe guarantees.
    private static string NewPaymentIntentId(string? key) =>
        "pi_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(key ?? Guid.NewGuid().ToString())))[..24];

    private static Dictionary<string, object?> PaymentIntentJson(string id, PaymentIntentState state) => new()
    {
        ["id"] = id,
        ["object"] = "payment_intent",
        ["amount"] = state.Amount,
        ["amount_received"] = state.Status == "succeeded" ? state.Amount : 0,
        ["currency"] = state.Currency,
        ["client_secret"] = id + "_secret_stub",
        ["status"] = state.Status,
        ["last_payment_error"] = state.DeclineCode is null
            ? null
            : new { type = "card_error", code = "card_declined", decline_code = state.DeclineCode, message = "Your card was declined.", charge = "ch_declined_" + id[3..] },
        // Expanded, as the reconciliation job asks for it (expand[]=latest_charge).
        ["latest_charge"] = state.Status != "succeeded" ? null : new Dictionary<string, object?>
        {
            ["id"] = "ch_" + id[3..],
            ["object"] = "charge",
            ["amount"] = state.Amount,
            ["amount_captured"] = state.Amount,
            ["amount_refunded"] = state.Refunded,
            ["captured"] = true,
            ["currency"] = state.Currency,
            ["disputed"] = state.DisputeStatus is not null,
            ["paid"] = true,
            ["payment_intent"] = id,
            ["refunded"] = state.Refunded >= state.Amount,
            ["status"] = "succeeded",
        },
        ["livemode"] = false,
        ["metadata"] = new Dictionary<string, string>(),
    };

    /// <summary>GET /v1/disputes?payment_intent=…: the dispute of that PaymentIntent's charge, if it has one.</summary>
    private ResponseMessage AnswerDisputes(IRequestMessage request)
    {
        var id = request.Query?.TryGetValue("payment_intent", out var values) == true ? values.FirstOrDefault() : null;
        var disputes = id is not null && _paymentIntents.TryGetValue(id, out var state) && state.DisputeStatus is { } status
            ? new[]
            {
                new Dictionary<string, object?>
                {
                    ["id"] = "du_" + id[3..],
                    ["object"] = "dispute",
                    ["amount"] = state.Amount,
                    ["charge"] = "ch_" + id[3..],
                    ["currency"] = state.Currency,
                    ["evidence_details"] = new { due_by = DateTimeOffset.UtcNow.AddDays(9).ToUnixTimeSeconds(), has_evidence = false, past_due = false, submission_count = 0 },
                    ["payment_intent"] = id,
                    ["reason"] = "fraudulent",
                    ["status"] = status,
                },
            }
            : [];
        return Json(200, new { @object = "list", data = disputes, has_more = false, url = "/v1/disputes" });
    }

    /// <summary>
    /// POST /v1/refunds for a PaymentIntent: refused above what its charge has left unrefunded or before it succeeded, as
    /// Stripe does; the same idempotency key gets the same refund back. A refund counts on the charge at once, as it does
    /// at Stripe (refunds to cards succeed at once in test mode), so reconciliation then sees it.
    /// </summary>
    private ResponseMessage AnswerRefund(IRequestMessage request)
    {
        _posts.Enqueue(StripeRequest.From(request));
        if (_failure is { } failure)
        {
            return Error(failure);
        }

        var form = QueryHelpers.ParseQuery(request.Body ?? "");
        var id = form.TryGetValue("payment_intent", out var pi) ? pi.ToString() : "";
        var key = request.Headers?.TryGetValue("Idempotency-Key", out var keys) == true ? keys.FirstOrDefault() : null;
        lock (_paymentIntents)
        {
            if (key is not null && _idempotencyKeys.GetOrAdd(key, request.Path + "?" + request.Body) != request.Path + "?" + request.Body)
            {
                return Error(s_idempotencyError);
            }

            if (key is not null && _refundsByKey.TryGetValue(key, out var earlier))
            {
                return Json(200, RefundJson(earlier, id, Amount(form)));
            }

            if (!_paymentIntents.TryGetValue(id, out var current))
            {
                return Error(new Failure(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));
            }

            var amount = form.ContainsKey("amount") ? Amount(form) : current.Amount - current.Refunded;
            if (current.Status != "succeeded")
            {
                return Error(new Failure(HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state",
                    $"This PaymentIntent ({id}) does not have a successful charge to refund."));
            }

            if (amount > current.Amount - current.Refunded)
            {
                return Error(new Failure(HttpStatusCode.BadRequest, "invalid_request_error", "amount_too_large",
                    $"Refund amount ({amount}) is greater than unrefunded amount on charge ({current.Amount - current.Refunded})."));
            }

            _paymentIntents[id] = current with { Refunded = current.Refunded + amount };
            var refundId = "re_" + Guid.NewGuid().ToString("N")[..24];
            _refundsByKey[key ?? refundId] = refundId;
            var refund = RefundJson(refundId, id, amount, form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value.ToString()));
            _refunds.Enqueue(refund);
            return Interlocked.Exchange(ref _refundAnswersToLose, 0) == 1
                ? Error(new Failure(HttpStatusCode.InternalServerError, "api_error", null, "An unknown error occurred."))
                : Json(200, refund);
        }
    }

    /// <summary>GET /v1/refunds?payment_intent=…: that PaymentIntent's refunds, newest first, in one page.</summary>
    private ResponseMessage ListRefunds(IRequestMessage request)
    {
        var id = request.Query?.TryGetValue("payment_intent", out var values) == true ? values.FirstOrDefault() : null;
        var refunds = _refunds.Where(r => (string?)r["payment_intent"] == id).Reverse().ToList();
        return Json(200, new { @object = "list", data = refunds, has_more = false, url = "/v1/refunds" });
    }

    private static Dictionary<string, object?> RefundJson(string id, string paymentIntentId, long amount, Dictionary<string, string>? metadata = null) => new()
    {
        ["metadata"] = metadata ?? [],
        ["id"] = id,
        ["object"] = "refund",
        ["amount"] = amount,
        ["charge"] = "ch_" + paymentIntentId[3..],
        ["currency"] = "usd",
        ["payment_intent"] = paymentIntentId,
        ["reason"] = "requested_by_customer",
        ["status"] = "succeeded",
    };

    private static ResponseMessage Error(Failure failure) =>
        Json((int)failure.Status, new { error = new { type = failure.Type, code = failure.Code, message = failure.Message } });

    private static ResponseMessage Json(int status, object body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json"), ["Request-Id"] = new("req_stub") },
        BodyData = new BodyData { BodyAsString = JsonSerializer.Serialize(body), DetectedBodyType = BodyType.String, Encoding = System.Text.Encoding.UTF8 },
    };

    private sealed record PaymentIntentState(long Amount, string Currency, string Status, string? DeclineCode = null, long Refunded = 0, string? DisputeStatus = null);

    private sealed record Failure(HttpStatusCode Status, string Type, string? Code, string Message);

    [GeneratedRegex("^/v1/payment_intents/pi_[A-Za-z0-9]+$")]
    private static partial Regex UpdatePath();

    [GeneratedRegex("^/v1/payment_intents/pi_[A-Za-z0-9]+/cancel$")]
    private static partial Regex CancelPath();
}

/// <summary>One request as Stripe would have received it: its form fields and headers.</summary>
public sealed record StripeRequest(string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string? Authorization)
{
    public static StripeRequest From(ILogEntry entry) => From(entry.RequestMessage);

    public static StripeRequest From(IRequestMessage message)
    {
        var form = QueryHelpers.ParseQuery(message.Body ?? "").ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        return new StripeRequest(
            message.Path,
            form,
            message.Headers?.TryGetValue("Idempotency-Key", out var key) == true ? key.FirstOrDefault() : null,
            message.Headers?.TryGetValue("Authorization", out var auth) == true ? auth.FirstOrDefault() : null);
    }
}
