using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shop.Emulator.Stripe;

internal static class StripeJson
{
    /// <summary>Stripe writes apostrophes and non-ASCII as they are; the default encoder's \u0027 would only obscure the messages.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
