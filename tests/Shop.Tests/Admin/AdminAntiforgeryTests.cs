using System.Net;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Admin;

public sealed class AdminAntiforgeryTests : IDisposable
{
    private readonly ShopApp _app = new();

    [Fact]
    public async Task Every_admin_post_without_an_antiforgery_token_is_refused()
    {
        await _app.CreateAdminAsync();
        using var admin = await _app.AdminSessionAsync();
        var posts = AdminPages.Handlers(_app.Services, "Post");

        var answers = new List<string>();
        foreach (var url in posts)
        {
            using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("confirm", "true")]);
            using var response = await admin.Client.PostAsync(url, content);
            answers.Add($"{url} {(int)response.StatusCode}");
        }

        Assert.Contains("/admin/logout", posts);
        Assert.All(answers, answer => Assert.EndsWith(" 400", answer, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin")).Status);
    }

    public void Dispose() => _app.Dispose();
}
