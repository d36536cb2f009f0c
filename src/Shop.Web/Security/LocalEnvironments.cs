namespace Shop.Web.Security;

public static class LocalEnvironments
{
    /// <summary>
    /// Development, and the test host's "Testing": a developer's machine, served over plain http on any port. Everywhere
    /// else (Staging, Production, a typo) is treated as a deployment: real keys, a public base URL, Secure __Host- cookies.
    /// </summary>
    public static bool IsLocal(this IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");

    /// <summary>
    /// Whether cookies are Secure and "__Host-" prefixed: in every deployment, except one whose public address is plain
    /// http on this machine's loopback (scripts/cluster.sh behind nginx), where a Secure cookie would never come back.
    /// </summary>
    public static bool UsesSecureCookies(this IHostEnvironment environment, IConfiguration configuration) =>
        !environment.IsLocal()
        && !(Uri.TryCreate(configuration[$"{ShopOptions.SectionName}:{nameof(ShopOptions.PublicBaseUrl)}"], UriKind.Absolute, out var url)
            && url.Scheme == Uri.UriSchemeHttp && url.IsLoopback);
}
