using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Data;
using Shop.Web.Security;

namespace Shop.Web.Admin;

public static class AdminExtensions
{
    /// <summary>The role, and the policy of the same name, that every page under /admin requires.</summary>
    public const string AdminRole = "Admin";

    public const string LoginPath = "/admin/login";

    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIdentity<IdentityUser, IdentityRole>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                // Length, not character classes, makes a password hard to guess (NIST SP 800-63B): passphrases welcome.
                identity.Password.RequiredLength = 12;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<ShopDbContext>()
            .AddDefaultTokenProviders();

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = "/admin/logout";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            // A signed-in user without the role is answered 403, not sent to a page that does not exist.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        // Named and secured by the same rule as the shop's other cookies: __Host- and Secure in a deployment.
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<ShopCookies>((cookie, cookies) => cookies.Apply(cookie.Cookie, "shop-admin"));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminRole, policy => policy.RequireAuthenticatedUser().RequireRole(AdminRole));

        // The whole folder is the admin's; only the login page is open, so a new page is protected without remembering to.
        // PostConfigure: AddRazorPages' own setup replaces the convention collection, whichever is registered first.
        builder.Services.PostConfigure<RazorPagesOptions>(pages =>
        {
            pages.Conventions.AuthorizeFolder("/Admin", AdminRole);
            pages.Conventions.AllowAnonymousToPage("/Admin/Login");
        });

        builder.Services.AddScoped<AdminAccounts>();
        builder.Services.AddScoped<AdminOrderSearch>();
        builder.Services.AddScoped<AdminOrderDetails>();
        builder.Services.AddScoped<AdminRefunds>();
        builder.Services.AddScoped<AdminOrderActions>();
        builder.Services.AddScoped<AdminTimeline>();
        builder.Services.AddScoped<AdminDisputes>();
        builder.Services.AddScoped<AdminOverview>();
        builder.Services.AddScoped<AdminConfigurationCheck>();
        builder.Services.AddHostedService<OfflineAdmin>();
        return builder;
    }
}
