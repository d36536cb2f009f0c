using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Shop.Emulator.Stripe;

/// <summary>One API call as a resource handler sees it: the id from the path, the checked parameters, and who called.</summary>
internal sealed record ApiRequest(string Id, Params Params, ApiCall Call);

internal delegate JsonObject ApiHandler(ApiRequest request);

internal enum Keys
{
    SecretOnly,
    SecretOrPublishable,
}

/// <summary>
/// The <c>/v1</c> routes: API-key checks, parameter validation against each endpoint's <see cref="ParamSchema"/>,
/// Idempotency-Key replay, <c>expand[]</c>, and Stripe's error shape, around the resource handlers. Each handler
/// runs under <see cref="StripeState.Gate"/> so that an idempotency check and the work it guards are one step.
/// </summary>
internal sealed class StripeApi(StripeState state, RouteGroupBuilder v1, ILogger logger)
{
    private const int MaxIdempotencyKeysKept = 10_000;

    private readonly Dictionary<(string ApiKey, string IdempotencyKey), StoredResponse> _idempotent = [];
    private readonly Queue<(string, string)> _idempotentInOrder = new();

    public void Get(string pattern, ParamSchema schema, ApiHandler handler, Keys keys = Keys.SecretOnly) =>
        v1.MapGet(pattern, http => HandleAsync(http, schema, keys, handler));

    public void Post(string pattern, ParamSchema schema, ApiHandler handler, Keys keys = Keys.SecretOnly) =>
        v1.MapPost(pattern, http => HandleAsync(http, schema, keys, handler));

    public void Delete(string pattern, ParamSchema schema, ApiHandler handler) =>
        v1.MapDelete(pattern, http => HandleAsync(http, schema, Keys.SecretOnly, handler));

    /// <summary>Called once every resource mapped its routes: anything else gets Stripe's 404.</summary>
    public void MapFallback() =>
        v1.MapFallback(http =>
        {
            var error = StripeApiException.InvalidRequest(
                $"Unrecognized request URL ({http.Request.Method}: {http.Request.Path}). The Stripe emulator covers card payments: PaymentIntents, Customers, PaymentMethods, Charges, Refunds, Disputes, Events and Webhook endpoints.");
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(error.ToJson().ToJsonString(StripeJson.Options), http.RequestAborted);
        });

    private async Task HandleAsync(HttpContext http, ParamSchema schema, Keys keys, ApiHandler handler)
    {
        var requestId = StripeIds.New("req", 14);
        var response = http.Response;
        response.Headers["Request-Id"] = requestId;
        var apiVersion = http.Request.Headers["Stripe-Version"].ToString() is { Length: > 0 } version ? version : null;
        response.Headers["Stripe-Version"] = apiVersion ?? StripeEmulatorServer.ApiVersion;
        var (raw, fingerprint) = await Params.ReadRawAsync(http.Request, http.RequestAborted);
        var id = http.Request.RouteValues["id"] as string ?? "";
        var idempotencyKey = HttpMethods.IsPost(http.Request.Method) && http.Request.Headers.TryGetValue("Idempotency-Key", out var header)
            ? header.ToString()
            : null;

        StoredResponse result;
        try
        {
            var (apiKey, publishable) = Authenticate(http.Request, raw, keys);
            response.Headers["Idempotency-Key"] = idempotencyKey;
            var call = new ApiCall(requestId, idempotencyKey, publishable, apiVersion);
            fingerprint = http.Request.Method + " " + http.Request.Path + "?" + fingerprint;
            lock (state.Gate)
            {
                result = idempotencyKey is null
                    ? Execute(handler, schema, raw, id, call, fingerprint)
                    : ExecuteOnce(handler, schema, raw, id, call, fingerprint, (apiKey, idempotencyKey), response);
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
        ApiHandler handler, ParamSchema schema, JsonObject raw, string id, ApiCall call, string fingerprint, (string, string) key, HttpResponse response)
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

        var result = Execute(handler, schema, raw, id, call, fingerprint);

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

    private StoredResponse Execute(ApiHandler handler, ParamSchema schema, JsonObject raw, string id, ApiCall call, string fingerprint)
    {
        var p = new Params(schema.Validate(raw));
        var expand = p.List("expand");
        Expansion.Check(expand);
        try
        {
            var json = handler(new ApiRequest(id, p, call));
            if (!call.Publishable)
            {
                Expansion.Apply(json, expand, state.Store);
            }

            return new StoredResponse(200, json.ToJsonString(StripeJson.Options), call.RequestId ?? "", fingerprint);
        }
        catch (StripeApiException error) when (error.SaveForIdempotency)
        {
            return new StoredResponse(error.StatusCode, error.ToJson().ToJsonString(StripeJson.Options), call.RequestId ?? "", fingerprint);
        }
    }

    /// <summary>
    /// Secret keys come as Bearer (or Basic, as curl -u sends them). A browser sends its publishable key as the
    /// <c>key</c> parameter, which only confirm and retrieve accept, and only with the client secret.
    /// </summary>
    private static (string ApiKey, bool Publishable) Authenticate(HttpRequest request, JsonObject raw, Keys keys)
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

        if (raw["key"] is JsonValue formKey)
        {
            key ??= formKey.GetValue<string>();
            raw.Remove("key");
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
