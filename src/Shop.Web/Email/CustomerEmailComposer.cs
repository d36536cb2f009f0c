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
    /// <summary>
    /// A renderer for a batch of emails. Creating an HtmlRenderer and its service scope cost more than rendering one
    /// template, so the sender makes one per batch (docs/benchmarks.md, email drain).
    /// </summary>
    public EmailRenderer StartRendering() => new(scopes.CreateAsyncScope(), loggerFactory);

    public async Task<MimeMessage> ComposeAsync(OutboxMessage row, Order order, EmailRenderer renderer)
    {
        var model = new CustomerEmailModel(order, row,
            shop.Value.Link($"orders/{Uri.EscapeDataString(order.PublicId)}"),
            shop.Value.Link($"orders/{Uri.EscapeDataString(order.PublicId)}/pay"));
        var (subject, html, text) = row.Kind switch
        {
            CustomerEmailKind.Receipt => ($"Your receipt for order {order.PublicId}", typeof(ReceiptEmail), typeof(ReceiptText)),
            CustomerEmailKind.PaymentFailed => ($"Your payment for order {order.PublicId} did not go through", typeof(PaymentFailedEmail), typeof(PaymentFailedText)),
            CustomerEmailKind.Refund => ($"Refund for order {order.PublicId}", typeof(RefundEmail), typeof(RefundText)),
            CustomerEmailKind.DisputeOpened => ($"Dispute opened on order {order.PublicId}: evidence due {model.DueBy}", typeof(DisputeOpenedEmail), typeof(DisputeOpenedText)),
            CustomerEmailKind.DisputeInquiry => ($"Inquiry about order {order.PublicId}: answer due {model.DueBy}", typeof(DisputeOpenedEmail), typeof(DisputeOpenedText)),
            CustomerEmailKind.DisputeAppeal => ($"Dispute appealed on order {order.PublicId}: evidence due {model.DueBy}", typeof(DisputeOpenedEmail), typeof(DisputeOpenedText)),
            _ => throw new InvalidOperationException($"Outbox message {row.Id} has unknown kind {row.Kind}."),
        };

        var body = new BodyBuilder
        {
            HtmlBody = await renderer.RenderAsync(html, model),
            TextBody = TidyText(WebUtility.HtmlDecode(await renderer.RenderAsync(text, model))),
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
        message.To.Add(row.Kind is CustomerEmailKind.DisputeOpened or CustomerEmailKind.DisputeInquiry or CustomerEmailKind.DisputeAppeal
            ? MailboxAddress.Parse(shop.Value.OperatorsEmail ?? throw new InvalidOperationException("Shop:OperatorsEmail is not set; dispute notices cannot be sent."))
            : new MailboxAddress(order.CustomerName, order.CustomerEmail));
        // RFC 3834: tells vacation responders and ticket systems not to answer a machine.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
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

/// <summary>Renders the email templates (Razor components) to strings, with the scope the renderer resolves services from.</summary>
public sealed class EmailRenderer(AsyncServiceScope scope, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    // The renderer resolves scoped services (ComponentsActivitySource among them): it gets a scope of its own, since the
    // root provider refuses scoped services when scopes are validated.
    private readonly HtmlRenderer _renderer = new(scope.ServiceProvider, loggerFactory);

    public Task<string> RenderAsync(Type component, CustomerEmailModel model) =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(ReceiptEmail.Email)] = model });
            var output = await _renderer.RenderComponentAsync(component, parameters);
            return output.ToHtmlString();
        });

    public async ValueTask DisposeAsync()
    {
        await _renderer.DisposeAsync();
        await scope.DisposeAsync();
    }
}
