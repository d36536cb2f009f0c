using Stripe;

namespace Shop.Web.Payments;

/// <summary>One webhook endpoint of the Stripe account, as Stripe lists it.</summary>
public sealed record StripeWebhookEndpoint(string Id, string Url, string Status, string? ApiVersion, IReadOnlyList<string> EnabledEvents);

/// <param name="Problem">Why nothing could be listed (Stripe not configured, refused, unreachable), in plain words.</param>
public sealed record StripeWebhookEndpoints(IReadOnlyList<StripeWebhookEndpoint> Endpoints, string? Problem = null);

/// <summary>Stripe's webhook endpoints API, for the admin's configuration check: the Stripe.net calls about endpoints live here.</summary>
public sealed class WebhookEndpointGateway(StripeConnection stripe, ILogger<WebhookEndpointGateway> logger)
{
    public async Task<StripeWebhookEndpoints> ListAsync(CancellationToken cancellationToken)
    {
        if (stripe.Client is not { } client)
        {
            return new StripeWebhookEndpoints([],
                "Stripe is not configured (no Stripe:SecretKey and Stripe:PublishableKey), so there are no webhook endpoints to check.");
        }

        var endpoints = new List<StripeWebhookEndpoint>();
        try
        {
            // Every page: an account may have more endpoints than one page holds.
            await foreach (var endpoint in new WebhookEndpointService(client)
                .ListAutoPagingAsync(new WebhookEndpointListOptions { Limit = 100 }, cancellationToken: cancellationToken))
            {
                endpoints.Add(new StripeWebhookEndpoint(endpoint.Id, endpoint.Url, endpoint.Status, endpoint.ApiVersion, endpoint.EnabledEvents ?? []));
            }
        }
        catch (StripeException ex)
        {
            logger.LogWarning("Stripe refused to list the webhook endpoints: {StripeError} (request {StripeRequestId})",
                ex.StripeError?.Code ?? ex.StripeError?.Type, ex.StripeResponse?.RequestId);
            return new StripeWebhookEndpoints([], $"Stripe refused to list the webhook endpoints: {StripeFailure.Details(ex)}.");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning(ex, "Stripe could not be reached to list the webhook endpoints");
            return new StripeWebhookEndpoints([], "Stripe could not be reached to list the webhook endpoints; try again in a moment.");
        }

        return new StripeWebhookEndpoints(endpoints);
    }
}
