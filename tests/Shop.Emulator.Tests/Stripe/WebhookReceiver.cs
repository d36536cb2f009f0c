using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>A real HTTP endpoint on 127.0.0.1 that records what the emulator POSTs and answers with chosen status codes.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers;

    private WebhookReceiver(WebApplication app, ConcurrentQueue<int> answers)
    {
        _app = app;
        _answers = answers;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<(string Signature, string Body)> Received { get; } = new();

    /// <summary>Answers each request with the next status in <paramref name="answers"/>, then 200.</summary>
    public static async Task<WebhookReceiver> StartAsync(params int[] answers)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, new ConcurrentQueue<int>(answers));
        app.MapPost("/webhooks/stripe", async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            receiver.Received.Enqueue((http.Request.Headers["Stripe-Signature"].ToString(), await reader.ReadToEndAsync(http.RequestAborted)));
            http.Response.StatusCode = receiver._answers.TryDequeue(out var status) ? status : 200;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/webhooks/stripe");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
