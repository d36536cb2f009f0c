using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shop.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string? RequestId { get; private set; }

    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "Please try again in a moment.";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
        (Title, Message) = status switch
        {
            404 => ("Not found", "There is nothing at this address."),
            429 => ("Too many requests", "You are going a little fast. Please wait a minute and try again."),
            400 => ("Bad request", "The request could not be understood."),
            _ when status is not null => ("Something went wrong", "Please try again in a moment."),
            _ => (Title, Message),
        };
    }
}
