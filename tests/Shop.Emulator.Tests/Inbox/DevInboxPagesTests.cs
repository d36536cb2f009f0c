using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.Emulator.Inbox;

namespace Shop.Emulator.Tests.Inbox;

public sealed class DevInboxPagesTests : IAsyncLifetime
{
    // One client for the class, as HttpClient is meant to be used; each test's inbox has its own port.
    private static readonly HttpClient s_http = new() { Timeout = InboxSmtp.Timeout };
    private DevInbox _inbox = null!;

    public async Task InitializeAsync() => _inbox = await DevInbox.StartAsync(new DevInboxOptions());

    public async Task DisposeAsync() => await _inbox.DisposeAsync();

    private Uri Page(string path) => new(_inbox.WebUrl, path);

    [Fact]
    public void The_web_url_is_the_inbox_page_on_loopback()
    {
        Assert.Equal("http", _inbox.WebUrl.Scheme);
        Assert.Equal("127.0.0.1", _inbox.WebUrl.Host);
        Assert.Equal("/inbox", _inbox.WebUrl.AbsolutePath);
    }

    [Fact]
    public async Task The_list_shows_recipient_and_subject_newest_first_with_markup_escaped()
    {
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("First order", to: "ada@example.com"));
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("<script>alert('x')</script> & more", to: "bob@example.com"));
        await _inbox.WaitForMessageAsync(m => m.Subject.EndsWith("more", StringComparison.Ordinal), InboxSmtp.Timeout);

        using var response = await s_http.GetAsync(Page("/inbox"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("bob@example.com", html, StringComparison.Ordinal);
        Assert.True(
            html.IndexOf("bob@example.com", StringComparison.Ordinal) < html.IndexOf("ada@example.com", StringComparison.Ordinal),
            "the newest message should be listed first");
        // 'none' as the default, with no script-src loosening it: no script runs on the page, whatever slips through.
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_page_shows_the_text_in_pre_and_the_html_only_inside_a_sandboxed_iframe()
    {
        var message = InboxSmtp.Message(
            "Receipt",
            html: "<p class=\"x\">Paid</p><script>alert(1)</script><img src=x onerror=\"alert(2)\">",
            text: "Paid <b>100</b> USD");
        await InboxSmtp.SendAsync(_inbox.SmtpPort, message);
        var email = await _inbox.WaitForMessageAsync(m => m.Subject == "Receipt", InboxSmtp.Timeout);

        var html = await s_http.GetStringAsync(Page($"/inbox/{email.Id}"));

        Assert.Contains("<pre>Paid &lt;b&gt;100&lt;/b&gt; USD", html, StringComparison.Ordinal);
        Assert.Contains(
            "<iframe sandbox srcdoc=\"&lt;p class=&quot;x&quot;&gt;Paid&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;",
            html,
            StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(email.MessageId);
        Assert.Contains(WebUtility.HtmlEncode(email.MessageId), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_eml_link_returns_the_message_as_received()
    {
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Raw me"));
        var email = await _inbox.WaitForMessageAsync(m => m.Subject == "Raw me", InboxSmtp.Timeout);

        using var response = await s_http.GetAsync(Page($"/inbox/{email.Id}.eml"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("message/rfc822", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(email.Raw.ToArray(), bytes);
        Assert.Contains("Subject: Raw me", System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_api_lists_messages_newest_first()
    {
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Older", to: "ada@example.com"));
        await InboxSmtp.SendAsync(_inbox.SmtpPort, InboxSmtp.Message("Newer", to: "bob@example.com", html: "<p>Hi</p>"));
        await _inbox.WaitForMessageAsync(m => m.Subject == "Newer", InboxSmtp.Timeout);

        var messages = await s_http.GetFromJsonAsync<JsonElement>(Page("/inbox/api/messages"));

        Assert.Equal(2, messages.GetArrayLength());
        var newest = messages[0];
        Assert.Equal("Newer", newest.GetProperty("subject").GetString());
        Assert.Equal("bob@example.com", newest.GetProperty("to")[0].GetString());
        Assert.Equal("<p>Hi</p>", newest.GetProperty("html").GetString()?.TrimEnd());
        Assert.Equal($"/inbox/{newest.GetProperty("id").GetInt64()}.eml", newest.GetProperty("raw").GetString());
    }

    [Fact]
    public async Task An_unknown_message_is_not_found()
    {
        using var response = await s_http.GetAsync(Page("/inbox/999"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
