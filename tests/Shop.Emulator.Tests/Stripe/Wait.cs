using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>Waiting for what the emulator does in the background (webhooks, scheduled settlements), bounded.</summary>
public static class Wait
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(10);

    public static async Task<T> ForAsync<T>(Func<T?> probe) => await ForAsync(() => Task.FromResult(probe()));

    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe)
    {
        var deadline = DateTime.UtcNow + s_patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Nothing arrived within {s_patience}.");
    }

    /// <summary>The check a webhook receiver makes, written independently of the emulator and of Stripe.net.</summary>
    public static bool SignatureMatches(string header, string body, string secret)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var timestamp = long.Parse(parts["t"], CultureInfo.InvariantCulture);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"));
        return Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) < 300
            && CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(parts["v1"]));
    }
}
