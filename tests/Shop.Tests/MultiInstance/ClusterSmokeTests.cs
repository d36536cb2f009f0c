using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Emulator.Stripe;
using Shop.Web.Data;
using Shop.Web.Email;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.MultiInstance;

/// <summary>
/// scripts/cluster.sh as a developer starts it (2 instances behind nginx, PostgreSQL, the emulator and the inbox as
/// their own process) and a purchase in Chromium through nginx: any instance may serve any page or webhook.
/// </summary>
public sealed class ClusterSmokeTests : IAsyncLifetime
{
    private static readonly TimeSpan s_settleTimeout = TimeSpan.FromSeconds(30);

    private ClusterScript? _cluster;
    private Chromium? _chromium;

    public async Task InitializeAsync()
    {
        if (ClusterScript.MissingPrerequisite is null)
        {
            _cluster = await ClusterScript.StartAsync();
            _chromium = await Chromium.LaunchAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [ClusterScriptFact]
    public async Task A_purchase_through_nginx_is_paid_and_sends_one_receipt()
    {
        var cluster = _cluster!;
        using var http = new HttpClient();
        var page = await _chromium!.NewPageAsync(cluster.ShopUrl);

        await Chromium.RecordingFailuresAsync(page, nameof(A_purchase_through_nginx_is_paid_and_sends_one_receipt), async () =>
        {
            await Storefront.BuyCanvasToteAsync(page, "ada@example.com");
            await Storefront.PayAsync(page, "4242 4242 4242 4242");

            await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid", new() { Timeout = 20_000 });
        });
        // Settled: every webhook acknowledged (through nginx) and no email left to send, so no receipt is still to come.
        await Poll.UntilAsync(
            () => http.GetFromJsonAsync<List<WebhookDelivery>>(new Uri(cluster.StripeUrl, "/deliveries.json"))!,
            deliveries => deliveries!.Count > 0 && deliveries.All(d => d.Status == WebhookDeliveryStatus.Succeeded),
            deliveries => string.Join(", ", deliveries!.Select(d => $"{d.EventType}: {d.Status}")),
            s_settleTimeout);
        await Poll.UntilAsync(
            () => CountUnsentEmailsAsync(cluster),
            unsent => unsent == 0,
            unsent => $"{unsent} emails not sent yet",
            s_settleTimeout);
        var messages = await http.GetFromJsonAsync<List<InboxMessage>>(new Uri(cluster.InboxUrl, "/inbox/api/messages"));

        var toAda = messages!.Where(m => m.To.Contains("ada@example.com")).ToList();
        var receipt = Assert.Single(toAda);
        Assert.Contains("receipt", receipt.Subject, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("$24.00", receipt.Text, StringComparison.Ordinal);
        // Round-robin really spread the requests over both instances.
        var accessLog = cluster.AccessLog;
        Assert.All(cluster.InstancePorts, port => Assert.Contains($"upstream=127.0.0.1:{port}", accessLog, StringComparison.Ordinal));
    }

    private static async Task<int> CountUnsentEmailsAsync(ClusterScript cluster)
    {
        await using var db = new PostgreSqlShopDbContext(
            new DbContextOptionsBuilder<PostgreSqlShopDbContext>().UseNpgsql(cluster.DatabaseConnectionString).Options);
        return await db.Outbox.CountAsync(m => m.Status != OutboxStatus.Sent);
    }

    private sealed record InboxMessage(IReadOnlyList<string> To, string Subject, string Text);
}

/// <summary>A test of scripts/cluster.sh: skipped only where the script cannot get nginx.</summary>
public sealed class ClusterScriptFactAttribute : FactAttribute
{
    public ClusterScriptFactAttribute()
    {
        // The cluster is a PostgreSQL deployment (it starts its own server): run it once, in the PostgreSQL pass.
        Skip = ClusterScript.MissingPrerequisite
            ?? (TestDatabase.UsesPostgreSql ? null : $"the cluster runs on PostgreSQL: run with {TestDatabase.ProviderVariable}=PostgreSql (scripts/test.sh does)");
    }
}
