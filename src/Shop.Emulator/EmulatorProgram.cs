using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shop.Emulator.Inbox;
using Shop.Emulator.Stripe;

namespace Shop.Emulator;

/// <summary>Runs the emulators standalone: <c>dotnet run --project src/Shop.Emulator -- --port 12111</c>.</summary>
public static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("SHOP_").AddCommandLine(args).Build();
        // ASP.NET Core's request logs carry query strings, where browser calls put client secrets: keep them out.
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));

        await using var stripe = await StripeEmulatorServer.StartAsync(StripeEmulatorOptions.FromConfiguration(configuration, defaultPort: 12111), loggerFactory);
        Console.WriteLine($"Stripe API:     {stripe.ApiBase}  (StripeClientOptions.ApiBase)");
        Console.WriteLine($"Stripe.js:      {stripe.JsUrl}");
        Console.WriteLine($"Deliveries:     {stripe.DeliveriesUrl}");
        Console.WriteLine($"Webhook secret: {stripe.WebhookSecret}");

        await using var inbox = await DevInbox.StartAsync(new DevInboxOptions { SmtpPort = 2525, HttpPort = 5080 }, loggerFactory);
        Console.WriteLine($"Dev inbox:      {inbox.WebUrl}  (SMTP 127.0.0.1:{inbox.SmtpPort})");

        await WaitForShutdownAsync();
    }

    private static Task WaitForShutdownAsync()
    {
        var stopped = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }

        var registrations = new[] { PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop) };
        return stopped.Task.ContinueWith(_ => Array.ForEach(registrations, r => r.Dispose()), TaskScheduler.Default);
    }
}
