using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shop.Web.Payments.Events;
using Stripe;

namespace Shop.Web.Payments.Reconciliation;

/// <summary>How a read from Stripe went: done, or why a pass should stop here.</summary>
public enum StripeReadStatus
{
    Done,

    /// <summary>Stripe answered 429: stop the pass and leave the rest for the next one.</summary>
    RateLimited,

    /// <summary>Stripe answered, refusing this request (such as 404 for an unknown object); logged.</summary>
    Failed,

    /// <summary>No answer: Stripe could not be reached, timed out or failed itself (5xx); logged.</summary>
    Unanswered,

    /// <summary>Stripe refused the shop's key (401 revoked or wrong, 403 a restricted key without read rights): every read will fail alike.</summary>
    KeyRejected,
}

/// <summary>
/// Asks Stripe's API for what the webhooks would have said: a PaymentIntent's state with its latest charge (and its
/// disputes when the charge is disputed), or the events created since a time. The answers are read by the same code as
/// webhooks (<see cref="StripeEvent"/>), so both feed the writer the same facts.
/// </summary>
public sealed class StripeFactsReader(StripeConnection stripe, StripeAnswers answers, TimeProvider time, ILogger<StripeFactsReader> logger)
{
    public bool IsConfigured => stripe.Client is not null;

    /// <summary>
    /// The PaymentIntent's current facts as one synthetic event, or null when Stripe has nothing to say yet. Its id is
    /// derived from the state found, so two instances (or two passes) finding the same state record it once.
    /// </summary>
    public async Task<(StripeReadStatus Status, StripeEvent? Event)> ReadPaymentIntentAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        var client = stripe.Client ?? throw new InvalidOperationException("Stripe is not configured.");
        return await ReadAsync(StripeAnswers.PaymentIntents, $"retrieve PaymentIntent {paymentIntentId}", async () =>
        {
            var intent = await new PaymentIntentService(client).GetAsync(
                paymentIntentId, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: cancellationToken);
            var observedAt = StripeTime(intent.StripeResponse);
            using var document = JsonDocument.Parse(intent.StripeResponse.Content);
            var facts = StripeEvent.ReadFacts(document.RootElement, observedAt).ToList();
            if (facts.OfType<ChargeFact>().Any() && intent.LatestCharge?.Disputed == true)
            {
                var disputes = await new DisputeService(client).ListAsync(
                    new DisputeListOptions { PaymentIntent = paymentIntentId, Limit = 100 }, cancellationToken: cancellationToken);
                using var list = JsonDocument.Parse(disputes.StripeResponse.Content);
                facts.AddRange(list.RootElement.GetProperty("data").EnumerateArray()
                    .SelectMany(dispute => StripeEvent.ReadFacts(dispute, StripeTime(disputes.StripeResponse))));
            }

            return new StripeEvent($"reconciled_{paymentIntentId}_{Fingerprint(facts)}", "payment_intent.reconciled", observedAt,
                ApiVersion: null, paymentIntentId, facts);
        });
    }

    /// <summary>
    /// One page of the shop's event types created at or after <paramref name="since"/>, newest first as Stripe lists them, continuing after
    /// <paramref name="startingAfter"/>. Order does not matter to the writer: facts converge whatever order they come in.
    /// </summary>
    public async Task<(StripeReadStatus Status, EventPage? Page)> ListEventsAsync(DateTimeOffset since, string? startingAfter, CancellationToken cancellationToken)
    {
        var client = stripe.Client ?? throw new InvalidOperationException("Stripe is not configured.");
        return await ReadAsync(StripeAnswers.Events, "list events", async () =>
        {
            // Only the types the shop reads: an account's other events (customers, payouts, ...) would fill the writer for nothing.
            var options = new EventListOptions
            {
                Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime },
                Types = [.. StripeEvent.RecommendedTypes.Order(StringComparer.Ordinal)],
                Limit = 100,
            };
            if (startingAfter is not null)
            {
                options.StartingAfter = startingAfter;
            }

            var list = await new EventService(client).ListAsync(options, cancellationToken: cancellationToken);
            using var document = JsonDocument.Parse(list.StripeResponse.Content);
            var events = new List<StripeEvent>();
            string? lastId = null;
            foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
            {
                lastId = StripeJson.String(item, "id") ?? lastId;
                if (StripeEvent.TryRead(item, out var stripeEvent, out _))
                {
                    events.Add(stripeEvent!);
                }
            }

            return new EventPage(events, list.HasMore && lastId is not null, lastId);
        });
    }

    private async Task<(StripeReadStatus, T?)> ReadAsync<T>(string resource, string operation, Func<Task<T>> read)
        where T : class
    {
        var (status, result, reason) = await TryReadAsync(operation, read);
        answers.Record(resource, status, reason);
        return (status, result);
    }

    private async Task<(StripeReadStatus, T?, string?)> TryReadAsync<T>(string operation, Func<Task<T>> read)
        where T : class
    {
        try
        {
            return (StripeReadStatus.Done, await read(), null);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            logger.LogWarning("Stripe rate-limited {Operation}; the rest waits for the next pass", operation);
            return (StripeReadStatus.RateLimited, null, "HTTP 429: Stripe asked the shop to slow down.");
        }
        catch (StripeException ex)
        {
            logger.LogWarning("Stripe {Operation} failed: HTTP {StatusCode}, {ErrorType}/{ErrorCode}, request {RequestId}: {Message}",
                operation, (int)ex.HttpStatusCode, ex.StripeError?.Type, ex.StripeError?.Code, ex.StripeResponse?.RequestId, ex.StripeError?.Message ?? ex.Message);
            // Reasons in the shop's words: Stripe's own message for a bad key repeats part of the key.
            return ex.HttpStatusCode switch
            {
                System.Net.HttpStatusCode.Unauthorized => (StripeReadStatus.KeyRejected, null,
                    "HTTP 401: Stripe rejected Stripe:SecretKey (revoked, rolled or mistyped)."),
                System.Net.HttpStatusCode.Forbidden => (StripeReadStatus.KeyRejected, null,
                    "HTTP 403: Stripe:SecretKey may not read PaymentIntents, charges, disputes or events (a restricted key without read rights)."),
                >= System.Net.HttpStatusCode.InternalServerError => (StripeReadStatus.Unanswered, null, $"HTTP {(int)ex.HttpStatusCode}: Stripe failed to answer."),
                _ => (StripeReadStatus.Failed, null, $"HTTP {(int)ex.HttpStatusCode}: Stripe refused {operation}."),
            };
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "Stripe {Operation} failed: could not connect", operation);
            return (StripeReadStatus.Unanswered, null, "Stripe could not be reached.");
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            logger.LogWarning(ex, "Stripe {Operation} timed out", operation);
            return (StripeReadStatus.Unanswered, null, "Stripe did not answer in time.");
        }
    }

    /// <summary>Stripe's own time for the answer (its Date header), so it orders against events' created times by one clock.</summary>
    private DateTimeOffset StripeTime(StripeResponse response) =>
        response.Date ?? time.GetUtcNow();

    /// <summary>A short hash of the state found, leaving out when it was observed.</summary>
    private static string Fingerprint(IEnumerable<IPaymentFact> facts)
    {
        var state = string.Join("|", facts.Select(fact => fact switch
        {
            PaymentIntentFact i => $"{i.PaymentIntentId}:{i.Status}:{i.AmountReceived}:{i.FailureKey}",
            ChargeFact c => $"{c.ChargeId}:{c.Status}:{c.AmountCaptured}:{c.AmountRefunded}",
            DisputeFact d => $"{d.DisputeId}:{d.Status}",
            _ => fact.ObjectId,
        }).Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)))[..16].ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A page of listed events; <see cref="LastId"/> continues the listing when <see cref="HasMore"/>.</summary>
public sealed record EventPage(IReadOnlyList<StripeEvent> Events, bool HasMore, string? LastId);
