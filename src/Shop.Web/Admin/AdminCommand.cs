using System.ComponentModel.DataAnnotations;
using Shop.Web.Data;

namespace Shop.Web.Admin;

/// <summary>
/// `Shop.Web admin create EMAIL`: creates an admin with the password read from standard input, then exits without
/// starting the web server. The password never appears in configuration, arguments or shell history.
/// </summary>
public static class AdminCommand
{
    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == "admin";

    /// <returns>The process's exit code: 0 done, 1 refused (and why is written), 2 wrong usage.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader input, TextWriter output,
        CancellationToken cancellationToken)
    {
        if (args is not ["admin", "create", var email])
        {
            await output.WriteLineAsync("Usage: Shop.Web admin create EMAIL   (the password is read from standard input)");
            return 2;
        }

        if (!new EmailAddressAttribute().IsValid(email))
        {
            await output.WriteLineAsync($"\"{email}\" is not an email address.");
            return 1;
        }

        var password = await ReadPasswordAsync(input, output);
        if (string.IsNullOrEmpty(password))
        {
            await output.WriteLineAsync("No password was given on standard input; nothing was created.");
            return 1;
        }

        // The web server's start would migrate the database; the command runs without it, so it migrates itself.
        await ActivatorUtilities.CreateInstance<DatabaseInitializer>(services).StartAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AdminAccounts>().CreateAsync(email, password);
        if (!created.Succeeded)
        {
            await output.WriteLineAsync($"{email} was not made an admin: {string.Join(" ", created.Errors)}");
            return 1;
        }

        await output.WriteLineAsync(created.AlreadyAdmin
            ? $"{email} is already an admin; nothing was changed (its password is unchanged)."
            : created.UserExisted
            ? $"{email} already had an account; it now has the Admin role (its password is unchanged). Sign in at {AdminExtensions.LoginPath}."
            : $"Created admin {email}. Sign in at {AdminExtensions.LoginPath}.");
        return 0;
    }

    /// <summary>One line from standard input; typed at a terminal, it is not echoed.</summary>
    private static async Task<string?> ReadPasswordAsync(TextReader input, TextWriter output)
    {
        if (input != Console.In || Console.IsInputRedirected)
        {
            return await input.ReadLineAsync();
        }

        await output.WriteAsync("Password: ");
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        await output.WriteLineAsync();
        return password.ToString();
    }
}
