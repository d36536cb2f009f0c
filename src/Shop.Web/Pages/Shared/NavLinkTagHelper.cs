using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Shop.Web.Pages;

/// <summary>
/// A navigation link that says where the reader is: aria-current="page" on its own page, "true" on a page below it
/// (an order's page under Orders). "/" marks only itself.
/// </summary>
[HtmlTargetElement("a", Attributes = "shop-nav")]
public sealed class NavLinkTagHelper : TagHelper
{
    [HtmlAttributeName("href")]
    public string Href { get; set; } = "/";

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        output.Attributes.RemoveAll("shop-nav");
        output.Attributes.SetAttribute("href", Href);
        var path = ViewContext.HttpContext.Request.Path.Value ?? "/";
        if (path.Equals(Href, StringComparison.OrdinalIgnoreCase))
        {
            output.Attributes.SetAttribute("aria-current", "page");
        }
        else if (Href != "/" && path.StartsWith(Href + "/", StringComparison.OrdinalIgnoreCase))
        {
            output.Attributes.SetAttribute("aria-current", "true");
        }
    }
}
