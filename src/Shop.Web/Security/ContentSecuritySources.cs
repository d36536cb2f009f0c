namespace Shop.Web.Security;

/// <summary>
/// Origins features add to the Content-Security-Policy beyond the shop itself (Payments adds Stripe.js's), so the headers
/// need not know any feature: a feature configures these options.
/// </summary>
public sealed class ContentSecuritySources
{
    public List<string> Scripts { get; } = [];

    public List<string> Styles { get; } = [];

    public List<string> Frames { get; } = [];

    public List<string> Connections { get; } = [];

    public List<string> Images { get; } = [];
}
