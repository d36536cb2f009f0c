using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shop.Tests.Infrastructure;

/// <summary>What a fault in a background worker must never take away: the running host, the storefront and the webhook endpoint.</summary>
public static class ServingProbe
{
    /// <summary>
    /// The host is not stopping, GET / answers 200 and a signed Stripe event (about a PaymentIntent no order has, so it
    /// changes nothing) is acknowledged with 200. <paramref name="now"/> is the shop's clock when it runs on a fake one.
    /// </summary>
    public static async Task AssertServingAsync(ShopApp app, HttpClient client, DateTimeOffset? now = null)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var home = await client.GetAsync("/");
        var json = StripeWebhooks.Event("payment_intent.succeeded", "pi_probe" + Guid.NewGuid().ToString("N")[..16], 100);
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var webhook = await StripeWebhooks.PostAsync(client, body, StripeWebhooks.Signature(body, at: now));

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host is stopping");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
    }
}
