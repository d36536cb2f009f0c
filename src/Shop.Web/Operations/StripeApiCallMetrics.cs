using System.Net.Sockets;
using Shop.Web.Common;

namespace Shop.Web.Operations;

/// <summary>Counts every HTTP request Stripe.net makes through the "Stripe" HttpClient, by outcome (shop.stripe.api.calls).</summary>
public sealed class StripeApiCallMetrics(ShopMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = new KeyValuePair<string, object?>("http.request.method", request.Method.Method);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.StripeApiCalls.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, Outcome((int)response.StatusCode)), method);
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or OperationCanceledException)
        {
            // Counted and passed on unchanged: Stripe.net decides whether to retry.
            metrics.StripeApiCalls.Add(1, new KeyValuePair<string, object?>(ShopTelemetry.OutcomeTag, "network_error"), method);
            throw;
        }
    }

    private static string Outcome(int status) => status switch
    {
        < 400 => "success",
        429 => "rate_limited",
        < 500 => "client_error",
        _ => "server_error",
    };
}
