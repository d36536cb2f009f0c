using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Options;
using MimeKit;
using Shop.Web.Email.Templates;
using Shop.Web.Orders;

namespace Shop.Web.Email;

/// <summary>
/// Turns an outbox row into the MIME message the customer receives: HTML and plain text rendered from the Razor
/// components in Templates/, with addresses and the Message-Id built from parts so no field can inject a header.
/// </summary>
public sealed partial class CustomerEmailComposer(
    IServiceScopeFactory scopes, ILoggerFactory loggerFactory, IOptions<SmtpOptions> smtp, IOptions<ShopOptions> shop, TimeProvider time)
{
    public async Task<MimeMessage> ComposeAsync(OutboxMessage row, Order order)
    {
        var model = new CustomerEmailModel(order, row,
            shop.Value.Link($"orders/{Uri.EscapeDataString(order.PublicId)}"),
            shop.Value.Link($"orders/{Uri.EscapeDataString(order.PublicId)}/pay"));
        var (subject, html, text) = row.Kind switch
        {
            CustomerEmailKind.Receipt => ($"Your receipt for order {order.PublicId}", typeof(ReceiptEmail), typeof(ReceiptText)),
            CustomerEmailKind.PaymentFailed => ($"Your payment for order {order.PublicId} did not go through", typeof(PaymentFailedEmail), typeof(PaymentFailedText)),
            CustomerEmailKind.Refund => ($"Refund for order {order.PublicId}", typeof(RefundEmail), typeof(RefundText)),
            _ => throw new InvalidOperationException($"Outbox message {row.Id} has unknown kind {row.Kind}."),
        };

        var body = new BodyBuilder
        {
            HtmlBody = await RenderAsync(html, model),
            TextBody = TidyText(WebUtility.HtmlDecode(await RenderAsync(text, model))),
        };
        var message = new MimeMessage
        {
            Subject = subject,
            Date = time.GetUtcNow(),
            // The same id on every attempt: a re-send after a crash is recognisable as the same message.
            MessageId = row.MessageId(smtp.Value.MessageIdDomain),
            Body = body.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress(smtp.Value.From.DisplayName, smtp.Value.FromAddress));
        message.To.Add(new MailboxAddress(order.CustomerName, order.CustomerEmail));
        // RFC 3834: tells vacation responders and ticket systems not to answer a machine.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    private async Task<string> RenderAsync(Type component, CustomerEmailModel model)
    {
        // The renderer resolves scoped services (ComponentsActivitySource among them): give it a scope of its own,
        // since the composer is a singleton and the root provider refuses scoped services when scopes are validated.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(ReceiptEmail.Email)] = model });
            var output = await renderer.RenderComponentAsync(component, parameters);
            return output.ToHtmlString();
        });
    }

    /// <summary>
    /// The text templates are Razor components too (one template language, data encoded by the same renderer, then
    /// decoded once here), so their output carries Razor's blank lines around code blocks: tidy those away.
    /// </summary>
    private static string TidyText(string text) =>
        ExtraBlankLines().Replace(TrailingSpaces().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), ""), "\n\n").Trim() + "\n";

    [GeneratedRegex("[ \\t]+$", RegexOptions.Multiline)]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex("\\n{3,}")]
    private static partial Regex ExtraBlankLines();
}
