using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Tests.Infrastructure;
using Shop.Web.Admin;

namespace Shop.Tests.Admin;

public sealed class OfflineAdminTests
{
    [Fact]
    public async Task In_offline_mode_the_password_printed_at_start_signs_the_local_admin_in()
    {
        await using var shop = OfflineShop.Start();
        using var session = shop.NewSession();

        var signedIn = await session.SignInAsync(OfflineAdmin.Email, shop.AdminPassword);
        var admin = await session.GetAsync("/admin");

        Assert.Equal("/admin", signedIn.Location?.OriginalString);
        Assert.Contains(OfflineAdmin.Email, admin.Html, StringComparison.Ordinal);
        var printed = Assert.Single(shop.Logs.Entries, e => e.Message.Contains(shop.AdminPassword, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, printed.Level);
        Assert.Equal($"Offline mode: admin area at /admin/login, sign in as admin@localhost with password {shop.AdminPassword} (a new one at every start)", printed.Message);
    }

    [Fact]
    public async Task Each_start_gives_the_local_admin_a_new_password_and_the_old_one_stops_working()
    {
        using var database = TestDatabase.Create();
        string first;
        await using (var shop = OfflineShop.Start(database: database))
        {
            first = shop.AdminPassword;
        }

        await using var restarted = OfflineShop.Start(database: database);
        using var session = restarted.NewSession();

        var withOld = await session.SignInAsync(OfflineAdmin.Email, first);
        var withNew = await session.SignInAsync(OfflineAdmin.Email, restarted.AdminPassword);

        Assert.NotEqual(first, restarted.AdminPassword);
        Assert.Contains("The email or password is not right.", withOld.Html, StringComparison.Ordinal);
        Assert.Equal("/admin", withNew.Location?.OriginalString);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Outside_offline_mode_no_local_admin_is_created_and_no_password_printed(bool withStripeKeys)
    {
        using var stripe = new StripeStub();
        var logs = new CapturedLogs();
        // Offline mode switched on, but Stripe keys (or the switch itself) keep it off.
        using var app = new ShopApp(withStripeKeys ? stripe : null, OfflineShop.Settings(new Dictionary<string, string?> { ["OfflineMode:Enabled"] = withStripeKeys ? "true" : "false" }),
            testServices: services => services.AddSingleton<ILoggerProvider>(logs));

        _ = app.Services;

        await using var db = app.OpenDatabase();
        Assert.Empty(await db.Users.ToListAsync());
        Assert.DoesNotContain(logs.Entries, e => e.Category == typeof(OfflineAdmin).FullName);
    }
}
