using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Shop.Emulator.Inbox;

/// <summary>
/// The inbox's server-rendered pages. Everything a sender controls is HTML-encoded, and a message's own HTML is shown
/// only inside a sandboxed iframe, so an email can never run script in the inbox.
/// </summary>
internal static class InboxPages
{
    // Encodes every character that matters in HTML text and attribute values, and leaves other scripts readable.
    private static readonly HtmlEncoder s_encoder = HtmlEncoder.Create(UnicodeRanges.All);

    // Inline styles are allowed because emails rely on them inside the srcdoc iframe (which inherits this policy);
    // scripts are allowed nowhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Css = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
        dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
        dt{font-weight:600}
        dd{margin:0}
        pre{background:#f6f6f6;padding:.8rem;white-space:pre-wrap;word-break:break-word}
        iframe{width:100%;height:32rem;border:1px solid #ccc}
        .muted{color:#666}
        """;

    public static void MapInbox(this WebApplication app, CapturedEmailStore store)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            return next(context);
        });

        app.MapGet("/inbox", () => Html("Dev inbox", RenderList(store.Snapshot())));

        app.MapGet("/inbox/{id:long}", (long id) =>
            store.Find(id) is { } email ? Html(email.Subject, RenderMessage(email)) : Results.NotFound());

        app.MapGet("/inbox/{id:long}.eml", (long id) =>
            store.Find(id) is { } email
                ? Results.File(email.Raw.ToArray(), "message/rfc822", $"message-{email.Id}.eml")
                : Results.NotFound());

        app.MapGet("/inbox/api/messages", () => Results.Json(store.Snapshot().Reverse().Select(m => new
        {
            m.Id,
            m.ReceivedAt,
            m.From,
            m.EnvelopeFrom,
            m.To,
            m.Subject,
            m.MessageId,
            m.Text,
            m.Html,
            Raw = $"/inbox/{m.Id}.eml",
        })));
    }

    private static string RenderList(IReadOnlyList<CapturedEmail> messages)
    {
        var html = new StringBuilder();
        html.Append("<h1>Dev inbox</h1>");
        if (messages.Count == 0)
        {
            html.Append("<p class=\"muted\">No messages yet.</p>");
            return html.ToString();
        }

        html.Append("<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>");
        foreach (var email in messages.Reverse())
        {
            html.Append("<tr><td>").Append(Encode(FormatTime(email.ReceivedAt)))
                .Append("</td><td>").Append(Encode(string.Join(", ", email.To)))
                .Append("</td><td><a href=\"/inbox/").Append(email.Id.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(Encode(email.Subject.Length > 0 ? email.Subject : "(no subject)"))
                .Append("</a></td></tr>");
        }

        html.Append("</tbody></table>");
        return html.ToString();
    }

    private static string RenderMessage(CapturedEmail email)
    {
        var id = email.Id.ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append("<p><a href=\"/inbox\">&larr; Inbox</a> &middot; <a href=\"/inbox/").Append(id).Append(".eml\">Raw .eml</a></p>");
        html.Append("<h1>").Append(Encode(email.Subject)).Append("</h1><dl>");
        AppendField(html, "Received", FormatTime(email.ReceivedAt));
        AppendField(html, "To (envelope)", string.Join(", ", email.To));
        foreach (var header in email.Message.Headers)
        {
            AppendField(html, header.Field, header.Value);
        }

        html.Append("</dl>");

        if (email.Text is not null)
        {
            html.Append("<h2>Text</h2><pre>").Append(Encode(email.Text)).Append("</pre>");
        }

        if (email.Html is not null)
        {
            // An empty sandbox attribute applies every restriction: no scripts, no forms, a unique origin.
            html.Append("<h2>HTML</h2><iframe sandbox srcdoc=\"").Append(Encode(email.Html)).Append("\" title=\"HTML part\"></iframe>");
        }

        return html.ToString();
    }

    private static void AppendField(StringBuilder html, string name, string value) =>
        html.Append("<dt>").Append(Encode(name)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>");

    private static string FormatTime(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Encode(string value) => s_encoder.Encode(value);

    private static IResult Html(string title, string body) => Results.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)}</title><style>{Css}</style></head><body>{body}</body></html>",
        "text/html; charset=utf-8");
}
