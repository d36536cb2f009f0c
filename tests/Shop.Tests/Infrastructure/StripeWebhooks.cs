using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Builds Stripe events from scripts/events fixtures and signs them the way Stripe does, with plain HMAC-SHA256 written
/// here, independently of the shop's code path, so a bug there cannot hide behind a shared helper.
/// </summary>
public static class StripeWebhooks
{
    public const string Secret = "whsec_test_fake_signing_secret_one";
    public const string SecondSecret = "whsec_test_fake_signing_secret_two";

    public static string Event(string type, string paymentIntentId, long amount, string currency = "usd", string? orderId = null,
        string? eventId = null, Action<JsonNode>? change = null)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "events", type + ".json");
        var template = File.ReadAllText(file);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var json = template
            .Replace("{{EVENT_ID}}", eventId ?? "evt_" + Guid.NewGuid().ToString("N")[..24], StringComparison.Ordinal)
            .Replace("{{CREATED}}", created.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{PAYMENT_INTENT_ID}}", paymentIntentId, StringComparison.Ordinal)
            .Replace("{{CHARGE_ID}}", "ch_" + paymentIntentId[3..], StringComparison.Ordinal)
            .Replace("{{DISPUTE_ID}}", "du_" + paymentIntentId[3..], StringComparison.Ordinal)
            .Replace("{{ORDER_ID}}", orderId ?? "ord_unknown", StringComparison.Ordinal)
            .Replace("{{AMOUNT}}", amount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{NEGATIVE_AMOUNT_WITH_FEE}}", (-amount - 1500).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{NEGATIVE_AMOUNT}}", (-amount).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{DUE_BY}}", (created + 9 * 86400).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{CURRENCY}}", currency, StringComparison.Ordinal);
        if (change is null)
        {
            return json;
        }

        var node = JsonNode.Parse(json)!;
        change(node);
        return node.ToJsonString();
    }

    public static string Signature(byte[] body, string secret = Secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={timestamp},v1={V1(body, secret, timestamp)}";
    }

    public static string V1(byte[] body, string secret, string timestamp)
    {
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string json, string? signature = null) =>
        PostAsync(client, Encoding.UTF8.GetBytes(json), signature);

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body, string? signature = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = content };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? Signature(body));
        return await client.SendAsync(request);
    }

    public static async Task<HttpStatusCode> SendAsync(HttpClient client, string json)
    {
        using var response = await PostAsync(client, json);
        return response.StatusCode;
    }
}
