using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Shop.Web.Common;
using Shop.Web.Payments.Events;
using Stripe;

namespace Shop.Web.Payments.Webhooks;

/// <summary>
/// Receives Stripe's events. Answers: 400 when the request is not a genuine, readable Stripe event (Stripe should not
/// retry), 200 once the event is durably recorded (applied, duplicate or ignored), 503 when the database failed (Stripe
/// retries later). No email, no API call, nothing slow happens inside the request.
/// </summary>
[ApiController]
[Route(Path)]
public sealed class StripeWebhookController(
    StripeEventWriter writer, IOptions<StripeOptions> options, ShopMetrics metrics, TimeProvider time, ILogger<StripeWebhookController> logger)
    : ControllerBase
{
    /// <summary>Where Stripe's webhook endpoints must point, below the shop's public base URL.</summary>
    public const string Path = "webhooks/stripe";

    public const int MaxBodyBytes = 512 * 1024;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly ConcurrentDictionary<string, bool> s_loggedApiVersions = new(StringComparer.Ordinal);

    [HttpPost]
    [RequestSizeLimit(MaxBodyBytes)]
    public async Task<IActionResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        // The batch that commits the event links back to this span (see StripeEventWriter).
        using var activity = ShopTelemetry.Source.StartActivity(ShopTelemetry.WebhookReceiveSpan);
        if (!IsAllowedSource(HttpContext.Connection.RemoteIpAddress))
        {
            return Reject(StatusCodes.Status403Forbidden, "sender {0} is not in Stripe:WebhookSourceNetworks", HttpContext.Connection.RemoteIpAddress);
        }

        if (Request.ContentLength > MaxBodyBytes)
        {
            return Reject(StatusCodes.Status413PayloadTooLarge, "body of {0} bytes is over the limit", Request.ContentLength);
        }

        var body = await ReadBodyAsync(cancellationToken);
        if (body is null)
        {
            return Reject(StatusCodes.Status413PayloadTooLarge, "body is over the limit of {0} bytes", MaxBodyBytes);
        }

        string json;
        try
        {
            json = s_strictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Reject(StatusCodes.Status400BadRequest, "body is not UTF-8", null);
        }

        var header = Request.Headers["Stripe-Signature"].ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return Reject(StatusCodes.Status400BadRequest, "Stripe-Signature header is missing", null);
        }

        if (VerifySignature(json, header) is { } signatureProblem)
        {
            return Reject(StatusCodes.Status400BadRequest, "signature rejected: {0}", signatureProblem);
        }

        if (!StripeEvent.TryParse(body, out var stripeEvent, out var parseError))
        {
            return Reject(StatusCodes.Status400BadRequest, "{0}", parseError);
        }

        NoteApiVersion(stripeEvent!);
        activity?.SetTag(ShopTelemetry.EventIdTag, stripeEvent!.Id).SetTag(ShopTelemetry.EventTypeTag, stripeEvent.Type)
            .SetTag(ShopTelemetry.PaymentIntentTag, stripeEvent.PaymentIntentId);
        IngestResult result;
        try
        {
            result = await writer.WriteAsync(stripeEvent!, StripeEventSource.Webhook, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever kept the writer from recording it (the database down or timing out, a bug), the event is not
            // stored: already logged by the writer, and not acknowledged, so Stripe delivers it again later.
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetBaseException().Message);
            return Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Event not recorded", detail: "The shop could not store the event; it will be accepted when Stripe retries.");
        }

        activity?.SetTag(ShopTelemetry.OutcomeTag, StripeEventNames.Outcome(result));
        return Ok(new { received = true, result = result.ToString().ToLowerInvariant() });
    }

    private bool IsAllowedSource(System.Net.IPAddress? sender)
    {
        var allowed = options.Value.WebhookSourceAllowList;
        if (allowed.Count == 0)
        {
            return true;
        }

        var address = sender is { IsIPv4MappedToIPv6: true } ? sender.MapToIPv4() : sender;
        return address is not null && allowed.Any(network => network.Contains(address));
    }

    /// <summary>The body, or null when it is larger than the limit (a chunked body has no Content-Length to check first).</summary>
    private async Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Null when one configured secret signed this body within the tolerance; otherwise what was wrong.</summary>
    private string? VerifySignature(string json, string header)
    {
        var stripe = options.Value;
        var secrets = stripe.AllWebhookSecrets;
        if (secrets.Count == 0)
        {
            return "no webhook secret is configured (Stripe:WebhookSecrets)";
        }

        var tolerance = (long)stripe.WebhookTolerance.TotalSeconds;
        var now = time.GetUtcNow().ToUnixTimeSeconds();

        // Stripe.net checks only that a timestamp is not too old; one from the future is as suspicious.
        if (TimestampOf(header) is not { } timestamp)
        {
            return "the header has no valid t= timestamp";
        }

        if (timestamp - now > tolerance)
        {
            return "the timestamp is in the future";
        }

        string? problem = null;
        foreach (var secret in secrets)
        {
            try
            {
                EventUtility.ValidateSignature(json, header, secret, tolerance, now);
                return null;
            }
            catch (StripeException ex)
            {
                problem = ex.Message;
            }
        }

        return problem;
    }

    private static long? TimestampOf(string header)
    {
        foreach (var part in header.Split(','))
        {
            var item = part.Trim();
            if (item.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(item.AsSpan(2), out var timestamp))
            {
                return timestamp;
            }
        }

        return null;
    }

    /// <summary>Events of another API release train are still read (only stable fields are used); say so once per version.</summary>
    private void NoteApiVersion(StripeEvent stripeEvent)
    {
        if (stripeEvent.ApiVersion is { } version
            && !EventUtility.IsCompatibleApiVersion(version)
            && s_loggedApiVersions.TryAdd(version, true))
        {
            logger.LogWarning(
                "Stripe event {EventId} uses API version {EventApiVersion}, not Stripe.net's {SdkApiVersion}; it is processed with the fields the shop reads. Pin the endpoint's API version (see README).",
                stripeEvent.Id, version, StripeConfiguration.ApiVersion);
        }
    }

    private ObjectResult Reject(int status, string reason, object? detail)
    {
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, reason, detail);
        logger.LogWarning("Rejected a Stripe webhook with {StatusCode}: {Reason}", status, message);
        Activity.Current?.SetTag(ShopTelemetry.OutcomeTag, "rejected");
        metrics.EventsReceived.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.EventTypeTag, "unknown"),
            new KeyValuePair<string, object?>(ShopTelemetry.SourceTag, "webhook"), new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, "rejected"));
        return Problem(statusCode: status, title: "Webhook rejected", detail: message);
    }
}
