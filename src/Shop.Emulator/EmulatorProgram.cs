using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shop.Emulator.Inbox;
using Shop.Emulator.Stripe;

namespace Shop.Emulator;

/// <summary>
/// Runs the emulators standalone: <c>dotnet run --project src/Shop.Emulator -- --port 12111 --smtp-port 2525 --inbox-port 5080</c>
/// (or <c>SHOP_StripeEmulator__Port</c>, <c>SHOP_DevInbox__SmtpPort</c>, <c>SHOP_DevInbox__HttpPort</c>).
/// </summary>
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

        await using var inbox = await DevInbox.StartAsync(InboxOptions(configuration), loggerFactory);
        Console.WriteLine($"Dev inbox:      {inbox.WebUrl}  (SMTP 127.0.0.1:{inbox.SmtpPort})");

        await WaitForShutdownAsync();
    }

    /// <summary>The inbox's ports, chosen like the Stripe port: a command-line switch, else the DevInbox section.</summary>
    private static DevInboxOptions InboxOptions(IConfiguration configuration) => new()
    {
        SmtpPort = configuration.GetValue<int?>("smtp-port") ?? configuration.GetValue<int?>("DevInbox:SmtpPort") ?? 2525,
        HttpPort = configuration.GetValue<int?>("inbox-port") ?? configuration.GetValue<int?>("DevInbox:HttpPort") ?? 5080,
    };

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
