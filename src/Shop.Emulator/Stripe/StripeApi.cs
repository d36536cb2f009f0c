using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>
/// The <c>/v1</c> routes: API-key checks, Idempotency-Key replay, and Stripe's error shape around the
/// <see cref="PaymentLedger"/> operations.
/// </summary>
internal sealed class StripeApi(PaymentLedger ledger, ILogger logger)
{
    private const int MaxIdempotencyKeysKept = 10_000;

    private readonly Dictionary<(string ApiKey, string IdempotencyKey), StoredResponse> _idempotent = [];
    private readonly Queue<(string, string)> _idempotentInOrder = new();

    private delegate JsonObject Operation(string id, FormParameters parameters, ApiCall call);

    private enum Keys
    {
        SecretOnly,
        SecretOrPublishable,
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        Map(v1.MapPost, "/payment_intents", Keys.SecretOnly, (_, p, call) => ledger.CreatePaymentIntent(p, call));
        Map(v1.MapGet, "/payment_intents", Keys.SecretOnly, (_, p, _) => ledger.ListPaymentIntents(p));
        Map(v1.MapGet, "/payment_intents/{id}", Keys.SecretOrPublishable, ledger.RetrievePaymentIntent);
        Map(v1.MapPost, "/payment_intents/{id}", Keys.SecretOnly, ledger.UpdatePaymentIntent);
        Map(v1.MapPost, "/payment_intents/{id}/confirm", Keys.SecretOrPublishable, ledger.ConfirmPaymentIntent);
        Map(v1.MapPost, "/payment_intents/{id}/cancel", Keys.SecretOnly, ledger.CancelPaymentIntent);
        Map(v1.MapPost, "/refunds", Keys.SecretOnly, (_, p, call) => ledger.CreateRefund(p, call));
        Map(v1.MapGet, "/refunds/{id}", Keys.SecretOnly, (id, p, _) => NoParameters(p, () => ledger.RetrieveRefund(id)));
        Map(v1.MapGet, "/charges/{id}", Keys.SecretOnly, (id, p, _) => NoParameters(p, () => ledger.RetrieveCharge(id)));
        Map(v1.MapGet, "/payment_methods/{id}", Keys.SecretOnly, (id, p, _) => NoParameters(p, () => ledger.RetrievePaymentMethod(id)));
        v1.MapFallback(http =>
        {
            var error = StripeApiException.InvalidRequest(
                $"Unrecognized request URL ({http.Request.Method}: {http.Request.Path}). The Stripe emulator implements only the calls the shop makes.");
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(error.ToJson().ToJsonString(StripeJson.Options), http.RequestAborted);
        });
    }

    private static JsonObject NoParameters(FormParameters p, Func<JsonObject> retrieve)
    {
        p.AllowOnly();
        return retrieve();
    }

    private void Map(Func<string, RequestDelegate, IEndpointConventionBuilder> verb, string pattern, Keys keys, Operation operation) =>
        verb(pattern, http => HandleAsync(http, keys, operation));

    private async Task HandleAsync(HttpContext http, Keys keys, Operation operation)
    {
        var requestId = StripeIds.New("req", 14);
        var response = http.Response;
        response.Headers["Request-Id"] = requestId;
        response.Headers["Stripe-Version"] = StripeEmulatorServer.ApiVersion;
        var parameters = await FormParameters.ReadAsync(http.Request, http.RequestAborted);
        var id = http.Request.RouteValues["id"] as string ?? "";
        var idempotencyKey = HttpMethods.IsPost(http.Request.Method) && http.Request.Headers.TryGetValue("Idempotency-Key", out var header)
            ? header.ToString()
            : null;

        StoredResponse result;
        try
        {
            var (apiKey, publishable) = Authenticate(http.Request, parameters, keys);
            response.Headers["Idempotency-Key"] = idempotencyKey;
            var call = new ApiCall(requestId, idempotencyKey, publishable);
            var fingerprint = http.Request.Method + " " + http.Request.Path + "?" + parameters.Fingerprint;
            lock (ledger.Gate)
            {
                result = idempotencyKey is null
                    ? Execute(operation, id, parameters, call, requestId, fingerprint)
                    : ExecuteOnce(operation, id, parameters, call, requestId, fingerprint, (apiKey, idempotencyKey), response);
            }
        }
        catch (StripeApiException error)
        {
            result = new StoredResponse(error.StatusCode, error.ToJson().ToJsonString(StripeJson.Options), requestId, "");
            if (error.StatusCode == 401)
            {
                response.Headers.WWWAuthenticate = "Bearer realm=\"Stripe\"";
            }
        }

        logger.LogInformation("{Method} {Path} {StatusCode} {RequestId}", http.Request.Method, http.Request.Path.Value, result.StatusCode, requestId);
        response.StatusCode = result.StatusCode;
        response.ContentType = "application/json";
        await response.WriteAsync(result.Body, http.RequestAborted);
    }

    private StoredResponse ExecuteOnce(
        Operation operation, string id, FormParameters parameters, ApiCall call, string requestId, string fingerprint,
        (string, string) key, HttpResponse response)
    {
        if (_idempotent.TryGetValue(key, out var stored))
        {
            if (stored.Fingerprint != fingerprint)
            {
                throw new StripeApiException(400, "idempotency_error",
                    $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key.Item2}' if you meant to execute a different request.");
            }

            response.Headers["Idempotent-Replayed"] = "true";
            response.Headers["Original-Request"] = stored.RequestId;
            return stored;
        }

        var result = Execute(operation, id, parameters, call, requestId, fingerprint);

        // Stripe saves a result once the endpoint started executing: successes and card declines, not rejected parameters.
        if (result.StatusCode is 200 or 402)
        {
            _idempotent[key] = result;
            _idempotentInOrder.Enqueue(key);
            if (_idempotentInOrder.Count > MaxIdempotencyKeysKept)
            {
                _idempotent.Remove(_idempotentInOrder.Dequeue());
            }
        }

        return result;
    }

    private static StoredResponse Execute(Operation operation, string id, FormParameters parameters, ApiCall call, string requestId, string fingerprint)
    {
        try
        {
            return new StoredResponse(200, operation(id, parameters, call).ToJsonString(StripeJson.Options), requestId, fingerprint);
        }
        catch (StripeApiException error) when (error.SaveForIdempotency)
        {
            return new StoredResponse(error.StatusCode, error.ToJson().ToJsonString(StripeJson.Options), requestId, fingerprint);
        }
    }

    /// <summary>
    /// Secret keys come as Bearer (or Basic, as curl -u sends them). A browser sends its publishable key as the
    /// <c>key</c> parameter, which only confirm and retrieve accept, and only with the client secret.
    /// </summary>
    private static (string ApiKey, bool Publishable) Authenticate(HttpRequest request, FormParameters parameters, Keys keys)
    {
        string? key = null;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
        }
        else if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var buffer = new byte[authorization.Length];
            key = Convert.TryFromBase64String(authorization["Basic ".Length..].Trim(), buffer, out var written)
                ? System.Text.Encoding.UTF8.GetString(buffer, 0, written).Split(':')[0]
                : "";
        }

        if (key is null && parameters.Get("key") is { } formKey)
        {
            key = formKey;
            parameters.Remove("key");
        }

        if (string.IsNullOrEmpty(key))
        {
            throw new StripeApiException(401, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.");
        }

        if ((key.StartsWith("sk_test_", StringComparison.Ordinal) || key.StartsWith("rk_test_", StringComparison.Ordinal)) && key.Length > 8)
        {
            return (key, false);
        }

        if (key.StartsWith("pk_test_", StringComparison.Ordinal) && key.Length > 8)
        {
            return keys == Keys.SecretOrPublishable
                ? (key, true)
                : throw new StripeApiException(401, "invalid_request_error",
                    "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.");
        }

        var masked = key.Length > 12 ? key[..8] + new string('*', key.Length - 12) + key[^4..] : "****";
        throw new StripeApiException(401, "invalid_request_error",
            $"Invalid API Key provided: {masked}. The Stripe emulator accepts any test-mode key (sk_test_..., or pk_test_... from the browser).");
    }

    private sealed record StoredResponse(int StatusCode, string Body, string RequestId, string Fingerprint);
}
