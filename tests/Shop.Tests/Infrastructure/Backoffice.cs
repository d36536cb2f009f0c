using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shop.Web.Admin;
using Shop.Web.Email;
using Shop.Web.Orders;
using Shop.Web.Payments.Events;
using static Microsoft.Playwright.Assertions;

namespace Shop.Tests.Infrastructure;

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

    /// <summary>
    /// Writes what fills the admin pages' every part: an order needing review, a disputed order with its evidence due in
    /// five days, and a receipt that failed to send (on the disputed order).
    /// </summary>
    public static async Task<Attention> AddOrdersNeedingAttentionAsync(ShopApp app)
    {
        var now = DateTimeOffset.UtcNow;
        var review = await app.AddOrderAsync("review@example.com", now.AddDays(-2), OrderStatus.NeedsReview, amount: 1500);
        var disputed = await app.AddOrderAsync("dispute@example.com", now.AddDays(-3), OrderStatus.Disputed, amount: 4800);
        await using var db = app.OpenDatabase();
        db.DisputeFacts.Add(new DisputeFact
        {
            DisputeId = "du_browser",
            PaymentIntentId = disputed.PaymentIntentId!,
            Status = "needs_response",
            Amount = 4800,
            Currency = "usd",
            Reason = "fraudulent",
            EvidenceDueBy = now.AddDays(5),
            ObservedAt = now.AddDays(-1),
        });
        var failed = OutboxMessage.Queue(disputed.Id, CustomerEmailKind.Receipt, "receipt", 4800, now.AddDays(-3));
        failed.Status = OutboxStatus.Failed;
        db.Outbox.Add(failed);
        await db.SaveChangesAsync();
        return new Attention(review.PublicId, disputed.PublicId);
    }

    public sealed record Attention(string ReviewOrderId, string DisputedOrderId);
}
