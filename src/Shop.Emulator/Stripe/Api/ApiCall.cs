namespace Shop.Emulator.Stripe;

/// <summary>Who is calling and on behalf of which request, for the events a call emits.</summary>
/// <param name="ApiVersion">The request's <c>Stripe-Version</c> header, or null for the emulator's default.</param>
internal sealed record ApiCall(string? RequestId, string? IdempotencyKey, bool Publishable, string? ApiVersion = null)
{
    /// <summary>A change the emulator makes on its own (a payment settling, the 3-D Secure page): no API request behind it.</summary>
    public static readonly ApiCall Automatic = new(null, null, Publishable: false);
}
