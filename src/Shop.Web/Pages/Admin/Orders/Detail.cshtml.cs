using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shop.Web.Admin;

namespace Shop.Web.Pages.Admin.Orders;

public sealed class DetailModel(AdminOrderDetails details, AdminRefunds refunds, AdminOrderActions actions) : PageModel
{
    [FromRoute]
    public string PublicId { get; set; } = "";

    public AdminOrderView View { get; private set; } = null!;

    /// <summary>A new one each time the form is shown: the idempotency of this one refund request.</summary>
    public Guid RefundRequestId { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Problem { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        RefundRequestId = Guid.NewGuid();
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRefundAsync(Guid refundRequestId, string? amount, string? note, bool confirm,
        CancellationToken cancellationToken)
    {
        if (!confirm)
        {
            return Refused("Tick the box to confirm the refund; nothing was sent to Stripe.");
        }

        var result = await refunds.RefundAsync(PublicId, refundRequestId, amount, note, Admin, cancellationToken);
        return Answered(result);
    }

    public async Task<IActionResult> OnPostAskStripeAsync(CancellationToken cancellationToken) =>
        Answered(await actions.AskStripeAsync(PublicId, Admin, cancellationToken));

    public async Task<IActionResult> OnPostCancelPaymentAsync(bool confirm, CancellationToken cancellationToken) =>
        confirm
            ? Answered(await actions.CancelPaymentAsync(PublicId, Admin, cancellationToken))
            : Refused("Tick the box to confirm; nothing was canceled.");

    public async Task<IActionResult> OnPostAcceptReviewAsync(string? note, bool confirm, CancellationToken cancellationToken) =>
        confirm
            ? Answered(await actions.AcceptReviewAsync(PublicId, note, Admin, cancellationToken))
            : Refused("Tick the box to confirm; nothing was recorded.");

    public async Task<IActionResult> OnPostRequeueEmailAsync(Guid emailId, bool confirm, CancellationToken cancellationToken) =>
        confirm
            ? Answered(await actions.RequeueEmailAsync(PublicId, emailId, Admin, cancellationToken))
            : Refused("Tick the box to confirm; the email was not requeued.");

    private string Admin => User.Identity?.Name ?? throw new InvalidOperationException("An admin action without a signed-in admin.");

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        View = (await details.FindAsync(PublicId, cancellationToken))!;
        return View is null ? NotFound() : Page();
    }

    private RedirectResult Answered(AdminActionResult result)
    {
        if (result.Succeeded)
        {
            Notice = result.Message;
        }
        else
        {
            Problem = result.Message;
        }

        // Post, redirect, get: a reload shows the page again instead of sending the action twice.
        return Redirect($"/admin/orders/{Uri.EscapeDataString(PublicId)}");
    }

    private RedirectResult Refused(string message) => Answered(AdminActionResult.Refused(message));
}
