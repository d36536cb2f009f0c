using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>
/// Raw form requests as the Stripe CLI, stripe-node or curl send them (bracketed keys, <c>items[]=</c> arrays), for tests
/// that must control the exact wire format rather than go through Stripe.net.
/// </summary>
public sealed class StripeWire(Uri baseUrl, string apiKey = EmulatorHarness.SecretKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(20) };

    public string? StripeVersion { get; init; }

    public Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string form = "") => SendAsync(HttpMethod.Post, path, form);

    public Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path, string query = "") => SendAsync(HttpMethod.Get, path, query);

    public Task<(HttpStatusCode Status, JsonElement Json)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, "");

    /// <summary>A request that must succeed; returns the object.</summary>
    public async Task<JsonElement> OkAsync(HttpMethod method, string path, string form = "")
    {
        var (status, json) = await SendAsync(method, path, form);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path} answered {(int)status}: {json}");
        return json;
    }

    /// <summary>Event types the emulator emitted, oldest first, as <c>GET /v1/events</c> shows them.</summary>
    public async Task<string[]> EventTypesAsync()
    {
        var page = await OkAsync(HttpMethod.Get, "v1/events", "limit=100");
        return [.. page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("type").GetString()!).Reverse()];
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode, JsonElement)> SendAsync(HttpMethod method, string path, string form)
    {
        var get = method != HttpMethod.Post;
        using var request = new HttpRequestMessage(method, get && form.Length > 0 ? $"{path}?{form}" : path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (StripeVersion is not null)
        {
            request.Headers.Add("Stripe-Version", StripeVersion);
        }

        if (!get)
        {
            request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
