using Microsoft.AspNetCore.Hosting;
using Shop.Tests.Infrastructure;
using Shop.Web.OfflineMode;

namespace Shop.Tests.OfflineMode;

/// <summary>Offline mode (the emulator and its published webhook secret) is for a developer's machine only.</summary>
public sealed class EnvironmentTests
{
    [Fact]
    public void A_staging_environment_without_stripe_keys_refuses_to_start_naming_the_missing_keys()
    {
        using var app = new ShopApp(settings: new Dictionary<string, string?> { ["OfflineMode:Enabled"] = "true" });

        var error = Assert.ThrowsAny<Exception>(() => app.WithWebHostBuilder(b => b.UseEnvironment("Staging")).CreateClient());

        Assert.Contains("Stripe:SecretKey and Stripe:PublishableKey are required in Staging.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_staging_environment_with_keys_starts_without_the_emulator()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?>
        {
            ["OfflineMode:Enabled"] = "true",
            ["Shop:PublicBaseUrl"] = "https://shop.example.com",
        });
        using var staging = app.WithWebHostBuilder(b => b.UseEnvironment("Staging"));

        using var client = staging.CreateClient();

        Assert.False(((OfflineModeStatus)staging.Services.GetService(typeof(OfflineModeStatus))!).IsActive);
        Assert.Null(staging.Services.GetService(typeof(OfflineModeHost)));
    }
}
