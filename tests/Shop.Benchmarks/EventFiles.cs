using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Benchmarks;

/// <summary>One webhook delivery: the event id and which seeded order it is about.</summary>
public sealed record Delivery(string EventId, string Type, string PaymentIntentId, long Amount);

/// <summary>
/// Builds Stripe events from scripts/events fixtures and signs them with plain HMAC-SHA256 (as Stripe does), before the
/// timed window, into one file of raw HTTP requests per connection for wrk to replay.
/// </summary>
public static class EventFiles
{
    public const string Secret = "whsec_bench_signing_secret";

    // Filled from Write's Parallel.For: a plain Dictionary there crashed the first run that signed events (--only postgres).
    private static readonly ConcurrentDictionary<string, string> s_templates = new(StringComparer.Ordinal);

    public static string Event(string type, string eventId, string paymentIntentId, long amount)
    {
        var template = s_templates.GetOrAdd(type, t => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "events", t + ".json")));

        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return template
            .Replace("{{EVENT_ID}}", eventId, StringComparison.Ordinal)
            .Replace("{{CREATED}}", created.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{PAYMENT_INTENT_ID}}", paymentIntentId, StringComparison.Ordinal)
            .Replace("{{CHARGE_ID}}", "ch_" + paymentIntentId[3..], StringComparison.Ordinal)
            .Replace("{{ORDER_ID}}", "ord_bench", StringComparison.Ordinal)
            .Replace("{{AMOUNT}}", amount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{NEGATIVE_AMOUNT_WITH_FEE}}", (-amount - 1500).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{NEGATIVE_AMOUNT}}", (-amount).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{DUE_BY}}", (created + 9 * 86400).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{CURRENCY}}", "usd", StringComparison.Ordinal);
    }

    public static string Signature(byte[] body, long timestamp)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        var v1 = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={v1}";
    }

    /// <summary>Writes conn-{i}.req files (deliveries dealt round-robin) and returns each connection's deliveries in order.</summary>
    public static List<Delivery>[] Write(string directory, IReadOnlyList<Delivery> deliveries, int connections)
    {
        Directory.CreateDirectory(directory);
        deliveries = deliveries.Take(Smoke.Count(deliveries.Count, 1_000)).ToList();
        var perConnection = Enumerable.Range(0, connections).Select(_ => new List<Delivery>()).ToArray();
        for (var i = 0; i < deliveries.Count; i++)
        {
            perConnection[i % connections].Add(deliveries[i]);
        }

        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Parallel.For(0, connections, c =>
        {
            using var file = new BufferedStream(File.Create(Path.Combine(directory, $"conn-{c}.req")), 1 << 20);
            foreach (var delivery in perConnection[c])
            {
                var body = Encoding.UTF8.GetBytes(Event(delivery.Type, delivery.EventId, delivery.PaymentIntentId, delivery.Amount));
                var head = Encoding.ASCII.GetBytes(
                    "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=utf-8\r\n"
                    + $"Stripe-Signature: {Signature(body, timestamp)}\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
                file.Write(Encoding.ASCII.GetBytes((head.Length + body.Length).ToString(CultureInfo.InvariantCulture) + "\n"));
                file.Write(head);
                file.Write(body);
            }
        });
        return perConnection;
    }
}
