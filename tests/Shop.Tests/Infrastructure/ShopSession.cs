using System.Net;
using System.Text.RegularExpressions;

namespace Shop.Tests.Infrastructure;

/// <summary>One visitor: a cookie jar and the forms a browser would post, antiforgery token included.</summary>
public sealed partial class ShopSession(HttpClient client) : IDisposable
{
    public static readonly IReadOnlyDictionary<string, string> Customer = new Dictionary<string, string>
    {
        ["Input.Email"] = "ada@example.com",
        ["Input.Name"] = "Ada Lovelace",
        ["Input.Line1"] = "12 St James's Square",
        ["Input.City"] = "London",
        ["Input.PostalCode"] = "SW1Y 4JH",
        ["Input.Country"] = "GB",
    };

    public HttpClient Client => client;

    public async Task<Page> GetAsync(string path)
    {
        using var response = await client.GetAsync(path);
        return await Page.ReadAsync(response);
    }

    /// <summary>Posts a form the way the page at <paramref name="formPage"/> would, with its antiforgery token.</summary>
    public async Task<Page> PostFormAsync(string formPage, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await GetAsync(formPage);
        var token = page.AntiforgeryToken ?? throw new InvalidOperationException($"{formPage} has no antiforgery token.");
        using var content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token)));
        using var response = await client.PostAsync(action, content);
        return await Page.ReadAsync(response);
    }

    public async Task<Page> AddToCartAsync(string slug, int quantity = 1)
    {
        var product = await GetAsync($"/products/{slug}");
        return await PostFormAsync($"/products/{slug}", "/cart?handler=Add",
            [new("productId", product.ProductId), new("quantity", quantity.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    public async Task<Page> SetQuantityAsync(string slug, int quantity)
    {
        var product = await GetAsync($"/products/{slug}");
        return await PostFormAsync("/cart", "/cart?handler=Update",
            [new("productId", product.ProductId), new("quantity", quantity.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    public Task<Page> CheckoutAsync(IEnumerable<KeyValuePair<string, string>>? fields = null) =>
        PostFormAsync("/checkout", "/checkout", fields ?? Customer);

    public void Dispose() => client.Dispose();

    /// <summary>A response as a browser receives it.</summary>
    public sealed partial record Page(HttpStatusCode Status, string Html, Uri? Location)
    {
        public static async Task<Page> ReadAsync(HttpResponseMessage response) =>
            new(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location)
            {
                SetCookies = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? [.. cookies] : [],
            };

        /// <summary>The Set-Cookie headers as sent, attributes included.</summary>
        public IReadOnlyList<string> SetCookies { get; init; } = [];

        public string? AntiforgeryToken => TokenPattern().Match(Html) is { Success: true } m ? m.Groups[1].Value : null;

        public string ProductId => ProductIdPattern().Match(Html) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException("The page has no product form.");

        /// <summary>The order's public id when checkout redirected to the payment page.</summary>
        public string OrderPublicId => Location is not null && PayPattern().Match(Location.OriginalString) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"Expected a redirect to a payment page, got {(int)Status}: {Location}");

        [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
        private static partial Regex TokenPattern();

        [GeneratedRegex("name=\"productId\" value=\"(\\d+)\"")]
        private static partial Regex ProductIdPattern();

        [GeneratedRegex("^/orders/([^/]+)/pay$")]
        private static partial Regex PayPattern();
    }
}
