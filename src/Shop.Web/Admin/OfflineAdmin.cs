using System.Security.Cryptography;
using Shop.Web.OfflineMode;

namespace Shop.Web.Admin;

/// <summary>
/// In offline mode only: the local admin <see cref="Email"/>, given a fresh random password at every start, written once
/// to the console beside the emulator's banner, so a fresh clone can open /admin without the admin command. The password
/// is kept nowhere but as Identity's hash; the next start replaces it (and lifts a lockout). In any other mode nothing
/// is created: a deployment's admins come from the admin command only.
/// </summary>
public sealed class OfflineAdmin(OfflineModeStatus offline, IServiceScopeFactory scopes, ILogger<OfflineAdmin> logger) : IHostedLifecycleService
{
    public const string Email = "admin@localhost";

    // No look-alike characters (0/O, 1/l/I): it is read off a console and typed.
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Once every hosted service has started, whatever their order: the database is migrated by then.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!offline.IsActive)
        {
            return;
        }

        var password = RandomNumberGenerator.GetString(Alphabet, 20);
        await using var scope = scopes.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<AdminAccounts>().CreateOrResetPasswordAsync(Email, password);
        if (!admin.Succeeded)
        {
            logger.LogWarning("Offline mode: the local admin {AdminEmail} could not be set up: {Errors}", Email, string.Join(" ", admin.Errors));
            return;
        }

        // Offline mode runs only in Development without Stripe keys: the password guards a local database of test orders,
        // and the developer's console is where it must be seen, just before the emulator's banner.
        logger.LogInformation(
            "Offline mode: admin area at {AdminLoginPath}, sign in as {AdminEmail} with password {AdminPassword} (a new one at every start)",
            AdminExtensions.LoginPath, Email, password);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
