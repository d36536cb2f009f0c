using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// An error answer in Stripe's shape. Handlers throw it from deep inside parameter parsing and state
/// checks; one place in <see cref="StripeApi"/> turns it into the HTTP response, the way Stripe's own
/// API does, which keeps every handler a straight line.
/// </summary>
internal sealed class StripeApiException : Exception
{
    public StripeApiException(int statusCode, string type, string message, string? code = null, string? param = null)
        : base(message)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        Param = param;
    }

    public StripeApiException()
        : this(500, "api_error", "Unexpected error.")
    {
    }

    public StripeApiException(string message)
        : this(400, "invalid_request_error", message)
    {
    }

    public StripeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Type = "api_error";
    }

    public int StatusCode { get; }

    public string Type { get; }

    public string? Code { get; }

    public string? Param { get; }

    public string? DeclineCode { get; init; }

    public string? ChargeId { get; init; }

    public JsonObject? PaymentIntent { get; init; }

    public JsonObject? PaymentMethod { get; init; }

    public bool SaveForIdempotency { get; init; }

    public static StripeApiException InvalidRequest(string message, string? param = null, string? code = null) =>
        new(400, "invalid_request_error", message, code, param);

    public static StripeApiException NotFound(string kind, string id, string param = "id") =>
        new(404, "invalid_request_error", $"No such {kind}: '{id}'", "resource_missing", param);

    public static StripeApiException UnexpectedState(string message) =>
        new(400, "invalid_request_error", message, "payment_intent_unexpected_state");

    public JsonObject ToJson()
    {
        var error = new JsonObject();
        if (ChargeId is not null)
        {
            error["charge"] = ChargeId;
        }

        if (Code is not null)
        {
            error["code"] = Code;
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + Code.Replace('_', '-');
        }

        if (DeclineCode is not null)
        {
            error["decline_code"] = DeclineCode;
        }

        error["message"] = Message;
        if (Param is not null)
        {
            error["param"] = Param;
        }

        if (PaymentIntent is not null)
        {
            error["payment_intent"] = PaymentIntent.DeepClone();
        }

        if (PaymentMethod is not null)
        {
            error["payment_method"] = PaymentMethod.DeepClone();
        }

        error["type"] = Type;
        return new JsonObject { ["error"] = error };
    }
}
