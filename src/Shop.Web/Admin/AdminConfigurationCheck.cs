using Microsoft.Extensions.Options;
using Shop.Web.Payments;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Webhooks;
using Shop.Web.Common;

namespace Shop.Web.Admin;

/// <summary>One webhook endpoint of the Stripe account that points at this shop, as Stripe lists it.</summary>
/// <param name="MissingEvents">Event types the shop handles that the endpoint does not send.</param>
public sealed record ShopWebhookEndpoint(string Id, string Url, string Status, string? ApiVersion, IReadOnlyList<string> EnabledEvents,
    IReadOnlyList<string> MissingEvents)
{
    public bool IsEnabled => Status == "enabled";

    public bool SpeaksShopsApiVersion => ApiVersion == StripeConnection.ApiVersion;
}

/// <param name="Problem">Why nothing could be checked (Stripe not configured, refused, unreachable), in plain words.</param>
/// <param name="OtherUrls">Where the account's other endpoints point: a typo in this shop's address shows here.</param>
public sealed record WebhookConfigurationReport(
    Uri ExpectedUrl,
    IReadOnlyList<ShopWebhookEndpoint> Endpoints,
    IReadOnlyList<string> OtherUrls,
    IReadOnlyList<string> Warnings,
    string? Problem = null)
{
    public static string ShopApiVersion => StripeConnection.ApiVersion;
}

/// <summary>
/// Configuration health for the admin: the Stripe account's webhook endpoints that point at this shop, each one's API
/// version against the version Stripe.net parses, and its events against the events the shop handles. Wrong ones are the
/// most common cause of webhooks that fail or never come. It calls Stripe, so it runs only when an admin asks (never
/// from a health check).
/// </summary>
public sealed class AdminConfigurationCheck(
    WebhookEndpointGateway endpoints, IOptions<ShopOptions> shop, IHostEnvironment environment)
{
    public async Task<WebhookConfigurationReport> CheckWebhooksAsync(CancellationToken cancellationToken)
    {
        var expected = shop.Value.Link(StripeWebhookController.Path);
        var listed = await endpoints.ListAsync(cancellationToken);
        if (listed.Problem is not null)
        {
            return new WebhookConfigurationReport(expected, [], [], [], listed.Problem);
        }

        var ours = listed.Endpoints.Where(e => PointsAt(e.Url, expected)).Select(Describe).ToList();
        var others = listed.Endpoints.Where(e => !PointsAt(e.Url, expected)).Select(e => e.Url).ToList();
        return new WebhookConfigurationReport(expected, ours, others, Warnings(expected, ours, others));
    }

    private static ShopWebhookEndpoint Describe(StripeWebhookEndpoint endpoint)
    {
        var enabled = endpoint.EnabledEvents;
        var missing = enabled.Contains("*")
            ? []
            : StripeEvent.RecommendedTypes.Where(type => !enabled.Contains(type)).Order(StringComparer.Ordinal).ToList();
        return new ShopWebhookEndpoint(endpoint.Id, endpoint.Url, endpoint.Status, endpoint.ApiVersion, enabled, missing);
    }

    private static List<string> Warnings(Uri expected, List<ShopWebhookEndpoint> ours, List<string> others)
    {
        var shopVersion = StripeConnection.ApiVersion;
        if (ours.Count == 0)
        {
            return [$"No webhook endpoint in this Stripe account points at {expected}: Stripe sends this shop no events, so payments are confirmed only when reconciliation asks. " +
                (others.Count == 0 ? "The account has no webhook endpoints at all." : $"The account's endpoints point at: {string.Join(", ", others)}.")];
        }

        var warnings = new List<string>();
        foreach (var endpoint in ours)
        {
            if (!endpoint.IsEnabled)
            {
                warnings.Add($"Endpoint {endpoint.Id} is {endpoint.Status}: Stripe sends it nothing until it is enabled again.");
            }

            if (endpoint.ApiVersion is null)
            {
                warnings.Add($"Endpoint {endpoint.Id} has no API version of its own: events arrive in the account's default version, which may not be {shopVersion}, the version the shop parses. Set the endpoint's API version to {shopVersion}.");
            }
            else if (!endpoint.SpeaksShopsApiVersion)
            {
                warnings.Add($"Endpoint {endpoint.Id} sends events in API version {endpoint.ApiVersion}, but the shop parses {shopVersion} (Stripe.net's version). Events will arrive shaped by {endpoint.ApiVersion}; the shop reads only fields that have kept their names, but set the endpoint's API version to {shopVersion}.");
            }

            if (endpoint.MissingEvents.Count > 0)
            {
                warnings.Add($"Endpoint {endpoint.Id} does not send {string.Join(", ", endpoint.MissingEvents)}: the shop handles these, and without them it learns of those changes only when reconciliation asks. Add them to the endpoint.");
            }
        }

        return warnings;
    }

    /// <summary>
    /// Whether an endpoint's URL is this shop's webhook address: the same host and path (scheme and port may differ behind
    /// a proxy). On a developer's machine the shop answers on loopback under any name (localhost, 127.0.0.1, [::1]), and
    /// the offline emulator registers it by address and port, so any loopback host counts.
    /// </summary>
    private bool PointsAt(string? url, Uri expected) =>
        Uri.TryCreate(url, UriKind.Absolute, out var endpoint)
        && string.Equals(endpoint.AbsolutePath.TrimEnd('/'), expected.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
        && (string.Equals(endpoint.IdnHost, expected.IdnHost, StringComparison.OrdinalIgnoreCase)
            || (environment.IsLocal() && endpoint.IsLoopback && expected.IsLoopback));
}
