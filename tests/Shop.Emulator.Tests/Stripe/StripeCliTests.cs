using System.Diagnostics;
using System.Net;
using Shop.Emulator.Stripe;
using Stripe;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>The official Stripe CLI against the emulator, unchanged: <c>stripe trigger</c> and <c>stripe listen</c>.</summary>
public sealed class StripeCliTests : IAsyncLifetime
{
    private const string ApiKey = "sk_test_emulator_cli_1234";
    private readonly EmulatorHarness _emulator = new();

    public Task InitializeAsync() => _emulator.InitializeAsync();

    public Task DisposeAsync() => _emulator.DisposeAsync();

    [StripeCliFact]
    public async Task Stripe_trigger_payment_intent_succeeded_succeeds()
    {
        using var cli = Process.Start(StripeCli.StartInfo("trigger", "payment_intent.succeeded", "--api-key", ApiKey, "--api-base", _emulator.Server.ApiBase))!;
        var output = await cli.StandardOutput.ReadToEndAsync() + await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        using var wire = new StripeWire(_emulator.Server.BaseUrl);

        Assert.True(cli.ExitCode == 0, output);
        Assert.Contains("Trigger succeeded", output, StringComparison.Ordinal);
        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], await wire.EventTypesAsync());
    }

    [StripeCliFact]
    public async Task Stripe_listen_forwards_the_events_it_asked_for_signed_and_reports_the_answers()
    {
        await using var shop = await WebhookReceiver.StartAsync();
        using var cli = Process.Start(StripeCli.StartInfo(
            "listen", "--api-key", ApiKey, "--api-base", _emulator.Server.ApiBase, "--skip-update", "--log-level", "debug",
            "--forward-to", shop.Url.ToString(), "--events", "payment_intent.succeeded,charge.succeeded"))!;
        try
        {
            _ = cli.StandardOutput.ReadToEndAsync(); // the forwarded-event log: drained so the CLI never blocks on a full pipe
            // "Ready!" says the secret, but may come before the websocket is open; the debug log's "Connected!" comes once the emulator registered it.
            var ready = await ReadUntilAsync(cli.StandardError, "Ready!", "Connected!");

            var intent = await _emulator.Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1500, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
            });
            var received = await Wait.ForAsync(() => shop.Received.Count >= 2 ? shop.Received.ToArray() : null);
            var replies = await Wait.ForAsync(() =>
                _emulator.Server.GetDeliveries().Where(d => d.Status == WebhookDeliveryStatus.Succeeded).ToList() is { Count: 2 } done ? done : null);

            Assert.Contains(_emulator.Server.WebhookSecret, ready, StringComparison.Ordinal);
            var events = received.Select(r => EventUtility.ConstructEvent(r.Body, r.Signature, _emulator.Server.WebhookSecret)).ToList();
            Assert.Equal(["charge.succeeded", "payment_intent.succeeded"], events.Select(e => e.Type).Order());
            Assert.Equal(intent.Id, events.Select(e => e.Data.Object).OfType<PaymentIntent>().Single().Id);
            Assert.All(replies, d => Assert.Equal((int)HttpStatusCode.OK, d.Attempts[^1].StatusCode));
            Assert.All(replies, d => Assert.Equal("ws", d.Endpoint.Scheme));
        }
        finally
        {
            cli.Kill(entireProcessTree: true);
            await cli.WaitForExitAsync();
        }
    }

    private static async Task<string> ReadUntilAsync(StreamReader reader, params string[] markers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var text = seen.ToString();
            if (markers.All(marker => text.Contains(marker, StringComparison.Ordinal)))
            {
                return text;
            }
        }

        throw new InvalidOperationException("stripe listen ended before it was ready: " + seen);
    }
}
