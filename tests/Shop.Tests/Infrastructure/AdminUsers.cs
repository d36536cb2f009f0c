using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Web.Admin;

namespace Shop.Tests.Infrastructure;

/// <summary>Accounts made through the shop's own Identity services, and sessions signed in through its login page.</summary>
public static class AdminUsers
{
    public const string Email = "operator@example.com";
    public const string Password = "correct horse battery staple";

    public static async Task CreateAdminAsync(this WebApplicationFactory<Program> app, string email = Email, string password = Password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AdminAccounts>().CreateAsync(email, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors));
    }

    /// <summary>An account that can sign in but has no Admin role.</summary>
    public static async Task CreateUserAsync(this ShopApp app, string email, string password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var created = await users.CreateAsync(new IdentityUser { UserName = email, Email = email }, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    public static Task<ShopSession.Page> SignInAsync(this ShopSession session, string email = Email, string password = Password) =>
        session.PostFormAsync("/admin/login", "/admin/login", [new("Input.Email", email), new("Input.Password", password)]);

    /// <summary>A new session of the admin created by <see cref="CreateAdminAsync"/>, signed in.</summary>
    public static async Task<ShopSession> AdminSessionAsync(this ShopApp app)
    {
        var session = app.NewSession();
        var signedIn = await session.SignInAsync();
        Assert.Equal("/admin", signedIn.Location?.OriginalString);
        return session;
    }
}
