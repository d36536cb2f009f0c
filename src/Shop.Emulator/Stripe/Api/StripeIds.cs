using System.Security.Cryptography;

namespace Shop.Emulator.Stripe;

/// <summary>Identifiers shaped like Stripe's: a type prefix and 24 random alphanumerics.</summary>
internal static class StripeIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string New(string prefix, int length = 24) =>
        prefix + "_" + new string(RandomNumberGenerator.GetItems<char>(Alphabet, length));

    public static string ClientSecret(string paymentIntentId) => paymentIntentId + "_secret_" + Random(25);

    public static string Random(int length) => new(RandomNumberGenerator.GetItems<char>(Alphabet, length));
}
