using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace Shop.Web.Security;

/// <summary>
/// The "ForwardedHeaders" section: the load balancers or reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
/// believed. Nobody's by default (not even loopback): a client could otherwise name any address and get a rate-limit
/// partition of its own per request.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of single proxies, such as 10.0.0.5.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks in CIDR notation, such as 10.0.0.0/8, for a load balancer with changing addresses.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public sealed class Validator : IValidateOptions<ForwardedHeadersSettings>
    {
        public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
        {
            var errors = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _))
                .Select(p => $"ForwardedHeaders:KnownProxies: \"{p}\" is not an IP address such as 10.0.0.5.")
                .Concat(options.KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _))
                    .Select(n => $"ForwardedHeaders:KnownNetworks: \"{n}\" is not a network in CIDR notation such as 10.0.0.0/8."))
                .ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    /// <summary>Applies the trusted proxies to ASP.NET Core's forwarded-headers middleware, replacing its loopback defaults.</summary>
    internal sealed class Apply(IOptions<ForwardedHeadersSettings> settings) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Value.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.Value.KnownNetworks)
            {
                options.KnownIPNetworks.Add(IPNetwork.Parse(network));
            }
        }
    }
}
