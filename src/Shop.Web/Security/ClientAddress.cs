using System.Net;

namespace Shop.Web.Security;

public static class ClientAddress
{
    /// <summary>
    /// Whether the request was sent from this machine itself (a probe on the host, CI's curl), not through a proxy: a loopback
    /// sender and no forwarding header. Behind a trusted proxy (ForwardedHeaders) the sender is already the client's address
    /// and the proxy's is kept as X-Original-For; behind a proxy the shop was not told about, the sender is that proxy on
    /// loopback, but the X-Forwarded-For it adds gives it away. A request without a socket address (a Unix socket) is not local.
    /// </summary>
    public static bool IsFromThisMachine(this HttpContext context)
    {
        var headers = context.Request.Headers;
        return context.Connection.RemoteIpAddress is { } sender
            && IPAddress.IsLoopback(sender.IsIPv4MappedToIPv6 ? sender.MapToIPv4() : sender)
            && !headers.ContainsKey("X-Forwarded-For") && !headers.ContainsKey("X-Original-For") && !headers.ContainsKey("Forwarded");
    }
}
