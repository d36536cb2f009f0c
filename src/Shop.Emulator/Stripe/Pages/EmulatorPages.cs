using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Shop.Emulator.Stripe;

/// <summary>
/// The emulator's own HTML: the 3-D Secure challenge a customer is sent to, and the webhook deliveries log.
/// Plain server-rendered pages with no script, every value HTML-encoded, styled by the stand-in's stylesheet.
/// </summary>
internal sealed class EmulatorPages(StripeState state, PaymentIntents paymentIntents)
{
    /// <summary>The deliveries page shows the newest events only; <c>GET /v1/events</c> pages through all that are kept.</summary>
    private const int EventsShown = 500;

    private static readonly HtmlEncoder s_html = HtmlEncoder.Default;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/3ds/{id}", ShowChallengeAsync);
        app.MapPost("/3ds/{id}", AnswerChallengeAsync);
        app.MapGet("/deliveries", ShowDeliveriesAsync);
        app.MapGet("/deliveries.json", http =>
        {
            List<WebhookDelivery> deliveries;
            lock (state.Gate)
            {
                deliveries = [.. state.Store.NewestFirst<EventRecord>().Take(EventsShown).SelectMany(e => e.Deliveries.Select(d => d.ToPublic()))];
            }

            return http.Response.WriteAsJsonAsync(deliveries, http.RequestAborted);
        });
        app.MapGet("/", http =>
        {
            http.Response.Redirect("/deliveries");
            return Task.CompletedTask;
        });
    }

    private Task ShowChallengeAsync(HttpContext http)
    {
        var id = (string)http.Request.RouteValues["id"]!;
        var clientSecret = http.Request.Query["client_secret"].ToString();
        PaymentIntentRecord? intent;
        lock (state.Gate)
        {
            intent = paymentIntents.FindByClientSecret(id, clientSecret);
        }

        if (intent is null)
        {
            return WritePageAsync(http, 404, "Payment not found", "<p>No payment matches this link.</p>");
        }

        if (intent.Status != "requires_action")
        {
            return WritePageAsync(http, 409, "Nothing to authenticate", $"<p>This payment has status {Encode(intent.Status)}.</p>");
        }

        var amount = (intent.Amount / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " " + intent.Currency.ToUpperInvariant();
        var body = $"""
            <div class="se-challenge">
              <p class="se-challenge-brand">Stripe emulator · 3D Secure 2 test page</p>
              <p>Authenticate a payment of <strong>{Encode(amount)}</strong>.</p>
              <p class="se-muted">This stands in for the bank's challenge. Choose the outcome to simulate.</p>
              <form method="post" action="/3ds/{Encode(Uri.EscapeDataString(id))}">
                <input type="hidden" name="client_secret" value="{Encode(clientSecret)}">
                <button class="se-button se-button-primary" type="submit" name="outcome" value="complete">Complete authentication</button>
                <button class="se-button se-button-danger" type="submit" name="outcome" value="fail">Fail authentication</button>
              </form>
            </div>
            """;
        return WritePageAsync(http, 200, "3D Secure authentication", body);
    }

    private async Task AnswerChallengeAsync(HttpContext http)
    {
        var id = (string)http.Request.RouteValues["id"]!;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var authenticated = form["outcome"] == "complete";
        string? returnUrl = null;
        string? clientSecret = null;
        lock (state.Gate)
        {
            if (paymentIntents.FindByClientSecret(id, form["client_secret"].ToString()) is { Status: "requires_action" } intent)
            {
                paymentIntents.CompleteAuthentication(intent, authenticated);
                returnUrl = intent.ReturnUrl;
                clientSecret = intent.ClientSecret;
            }
        }

        if (clientSecret is null)
        {
            await WritePageAsync(http, 409, "Nothing to authenticate", "<p>This payment is not waiting for authentication.</p>");
            return;
        }

        var status = authenticated ? "succeeded" : "failed";
        if (returnUrl is null)
        {
            await WritePageAsync(http, 200, "Authentication " + status, $"<p>Authentication {status}. You can close this page.</p>");
            return;
        }

        // Stripe.js's redirect contract: the shop's return page reads these three parameters.
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = QueryHelpers.AddQueryString(returnUrl, new Dictionary<string, string?>
        {
            ["payment_intent"] = id,
            ["payment_intent_client_secret"] = clientSecret,
            ["redirect_status"] = status,
        });
    }

    private Task ShowDeliveriesAsync(HttpContext http)
    {
        List<(EventRecord Event, List<(string Label, WebhookDelivery Delivery)> Deliveries)> events;
        long dropped;
        int kept;
        lock (state.Gate)
        {
            events = [.. state.Store.NewestFirst<EventRecord>().Take(EventsShown)
                .Select(e => (e, e.Deliveries.Select(d => (d.Destination.Label, d.ToPublic())).ToList()))];
            (dropped, kept) = (state.Store.Dropped, state.Store.Count);
        }

        var now = state.Time.GetUtcNow();
        var body = new StringBuilder();
        body.Append("<p class=\"se-muted\">Events newest first (at most ").Append(EventsShown).Append("), with every delivery attempt. The page refreshes every 5 seconds. ")
            .Append("<a href=\"/deliveries.json\">JSON</a></p>");
        body.Append("<p class=\"se-muted\">Keeping ").Append(kept.ToString(CultureInfo.InvariantCulture)).Append(" objects (limit ")
            .Append(state.Store.MaxObjects.ToString(CultureInfo.InvariantCulture)).Append(", Emulator:MaxObjects");
        if (state.Store.MaxAge is { } maxAge)
        {
            body.Append("; older than ").Append(Encode(maxAge.ToString())).Append(" dropped");
        }

        body.Append(')');
        if (dropped > 0)
        {
            body.Append("; ").Append(dropped.ToString(CultureInfo.InvariantCulture)).Append(" older objects were dropped, oldest first, and can no longer be retrieved");
        }

        body.Append(".</p>");
        if (events.Count == 0)
        {
            body.Append("<p>No events yet.</p>");
        }

        body.Append("<table class=\"se-table\"><thead><tr><th>Created</th><th>Event</th><th>Type</th><th>Endpoint</th><th>Status</th><th>Attempts</th></tr></thead><tbody>");
        foreach (var (@event, deliveries) in events)
        {
            var created = DateTimeOffset.FromUnixTimeSeconds(@event.Created);
            var rows = deliveries.Count == 0 ? [null] : deliveries.Select(d => ((string, WebhookDelivery)?)d).ToList();
            foreach (var row in rows)
            {
                body.Append("<tr><td>").Append(Encode(Ago(now, created))).Append("</td><td><code>").Append(Encode(@event.Id))
                    .Append("</code></td><td>").Append(Encode(@event.Type)).Append("</td>");
                if (row is not var (label, delivery))
                {
                    body.Append("<td colspan=\"3\" class=\"se-muted\">no webhook endpoint registered</td></tr>");
                    continue;
                }

                body.Append("<td>").Append(Encode(label)).Append("</td><td class=\"se-status-")
                    .Append(delivery.Status.ToString().ToLowerInvariant()).Append("\">").Append(Encode(delivery.Status.ToString())).Append("</td><td><ol class=\"se-attempts\">");
                foreach (var attempt in Enumerable.Reverse(delivery.Attempts))
                {
                    body.Append("<li value=\"").Append(attempt.Number).Append("\">")
                        .Append(Encode(attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? attempt.Error ?? "no answer"))
                        .Append(" · ").Append(Encode(attempt.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))
                        .Append(" · ").Append(Encode(attempt.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture))).Append(" ms</li>");
                }

                body.Append("</ol></td></tr>");
            }
        }

        body.Append("</tbody></table>");
        return WritePageAsync(http, 200, "Webhook deliveries", body.ToString(), refresh: true);
    }

    private static string Ago(DateTimeOffset now, DateTimeOffset then) =>
        then.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + $" ({Math.Max(0, (int)(now - then).TotalSeconds)} s ago)";

    private static string Encode(string value) => s_html.Encode(value);

    private static Task WritePageAsync(HttpContext http, int statusCode, string title, string body, bool refresh = false)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/html; charset=utf-8";
        var page = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              {(refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "")}
              <title>{Encode(title)} · Stripe emulator</title>
              <link rel="stylesheet" href="/v3/stripe-emulator.css">
            </head>
            <body class="se-page">
              <h1>{Encode(title)}</h1>
              {body}
            </body>
            </html>
            """;
        return http.Response.WriteAsync(page, http.RequestAborted);
    }
}
