namespace Shop.Web.Common;

public static class LocalEnvironments
{
    /// <summary>
    /// Development, and the test host's "Testing": a developer's machine, served over plain http on any port. Everywhere
    /// else (Staging, Production, a typo) is treated as a deployment: real keys, a public base URL, Secure __Host- cookies.
    /// </summary>
    public static bool IsLocal(this IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");
}
