using System.Net;
using Shop.Tests.Infrastructure;
using Shop.Web.Admin;

namespace Shop.Tests.Admin;

public sealed class AdminAuthorizationTests : IDisposable
{
    private readonly ShopApp _app = new();

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/orders")]
    public async Task Anonymous_requests_to_admin_pages_are_sent_to_the_login_page(string path)
    {
        using var session = _app.NewSession();

        var page = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal($"http://localhost/admin/login?ReturnUrl={Uri.EscapeDataString(path)}", page.Location?.ToString());
    }

    [Fact]
    public async Task Anonymous_requests_to_every_admin_page_but_the_login_page_are_sent_to_the_login_page()
    {
        var pages = AdminPages.Handlers(_app.Services, "Get").Where(path => !path.StartsWith(AdminExtensions.LoginPath, StringComparison.Ordinal)).ToList();
        using var session = _app.NewSession();

        var answers = new List<string>();
        foreach (var path in pages)
        {
            var page = await session.GetAsync(path);
            answers.Add($"{path} {(int)page.Status} {page.Location?.AbsolutePath}");
        }

        Assert.Contains("/admin/configuration", pages);
        Assert.Contains("/admin/orders?handler=Csv", pages);
        Assert.All(answers, answer => Assert.EndsWith($" 302 {AdminExtensions.LoginPath}", answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_admin_signs_in_and_out()
    {
        await _app.CreateAdminAsync();
        using var session = _app.NewSession();

        var signedIn = await session.SignInAsync();
        var admin = await session.GetAsync("/admin");
        var signedOut = await session.PostFormAsync("/admin", "/admin/logout", []);
        var afterwards = await session.GetAsync("/admin");

        Assert.Equal("/admin", signedIn.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, admin.Status);
        Assert.Contains(AdminUsers.Email, admin.Html, StringComparison.Ordinal);
        Assert.Equal("/admin/login", signedOut.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.Status);
    }

    [Fact]
    public async Task Sign_in_returns_to_the_admin_page_asked_for_but_never_to_another_site()
    {
        await _app.CreateAdminAsync();
        using var session = _app.NewSession();
        var fields = new Dictionary<string, string> { ["Input.Email"] = AdminUsers.Email, ["Input.Password"] = AdminUsers.Password };

        var local = await session.PostFormAsync("/admin/login", "/admin/login?ReturnUrl=%2Fadmin%2Fdisputes", fields);
        var foreign = await session.PostFormAsync("/admin/login", "/admin/login?ReturnUrl=https%3A%2F%2Fevil.example%2F", fields);

        Assert.Equal("/admin/disputes", local.Location?.OriginalString);
        Assert.Equal("/admin", foreign.Location?.OriginalString);
    }

    [Fact]
    public async Task A_signed_in_user_without_the_admin_role_is_forbidden()
    {
        await _app.CreateUserAsync("clerk@example.com", AdminUsers.Password);
        using var session = _app.NewSession();
        var signedIn = await session.SignInAsync("clerk@example.com", AdminUsers.Password);

        var page = await session.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_plain_message()
    {
        await _app.CreateAdminAsync();
        using var session = _app.NewSession();

        var page = await session.SignInAsync(password: "not the password");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("The email or password is not right.", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/admin")).Status);
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_even_against_the_right_password()
    {
        await _app.CreateAdminAsync();
        using var session = _app.NewSession();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await session.SignInAsync(password: "guess " + attempt);
        }

        var page = await session.SignInAsync();

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("This account is locked after too many failed sign-ins.", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/admin")).Status);
    }

    [Fact]
    public async Task The_admin_command_creates_an_admin_who_can_sign_in()
    {
        var output = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(_app.Services, ["admin", "create", "new-admin@example.com"],
            new StringReader(AdminUsers.Password + "\n"), output, CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Equal("Created admin new-admin@example.com. Sign in at /admin/login.", output.ToString().Trim());
        using var session = _app.NewSession();
        await session.SignInAsync("new-admin@example.com");
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/admin")).Status);
    }

    [Fact]
    public async Task The_admin_command_run_twice_changes_nothing_the_second_time()
    {
        await _app.CreateAdminAsync();
        var output = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(_app.Services, ["admin", "create", AdminUsers.Email],
            new StringReader("another long password\n"), output, CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Equal($"{AdminUsers.Email} is already an admin; nothing was changed (its password is unchanged).", output.ToString().Trim());
        using var session = _app.NewSession();
        Assert.Equal("/admin", (await session.SignInAsync()).Location?.OriginalString);
    }

    [Fact]
    public async Task The_admin_command_refuses_a_weak_password_and_creates_nothing()
    {
        var output = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(_app.Services, ["admin", "create", "new-admin@example.com"],
            new StringReader("short\n"), output, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("new-admin@example.com was not made an admin: Passwords must be at least 12 characters.", output.ToString(), StringComparison.Ordinal);
        using var session = _app.NewSession();
        var page = await session.SignInAsync("new-admin@example.com", "short");
        Assert.Contains("The email or password is not right.", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_command_without_an_email_prints_its_usage()
    {
        var output = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(_app.Services, ["admin", "create"], new StringReader(""), output, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("Usage: Shop.Web admin create EMAIL", output.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();
}
