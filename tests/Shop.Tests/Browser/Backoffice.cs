using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shop.Web.Admin;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Browser;

/// <summary>What an admin does in the shop's admin pages, step by step.</summary>
public static class Backoffice
{
    /// <summary>Opens an admin page as offline mode's local admin, through the sign-in page it redirects to.</summary>
    public static async Task OpenSignedInAsync(IPage page, string path, string password)
    {
        await page.GotoAsync(path);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/login\\?ReturnUrl="));
        await page.GetByLabel("Email").FillAsync(OfflineAdmin.Email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
    }
}
