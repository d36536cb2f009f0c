using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Shop.Emulator.Inbox;

/// <summary>
/// SmtpServer's listener, but with Nagle's algorithm off on every accepted socket. SmtpServer offers PIPELINING, so MailKit
/// sends MAIL FROM, RCPT TO and DATA together, and SmtpServer writes each reply on its own: with Nagle on, the second reply
/// waited for the client's delayed ACK (40 ms on Linux), and the inbox took about 48 ms a message, 21 a second
/// (docs/benchmarks.md). SmtpServer's own listener and pipe offer no hook for socket options, hence these small copies.
/// </summary>
internal sealed class NoDelayListenerFactory : EndpointListenerFactory
{
    public override IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        ArgumentNullException.ThrowIfNull(endpointDefinition);
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        var started = new EndpointEventArgs(endpointDefinition, listener.LocalEndpoint);
        OnEndpointStarted(started);
        return new NoDelayListener(listener, () => OnEndpointStopped(started));
    }

    private sealed class NoDelayListener(TcpListener listener, Action stopped) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint);
            return new PlainPipe(client);
        }

        public void Dispose()
        {
            listener.Stop();
            stopped();
        }
    }

    /// <summary>The connection as SmtpServer reads and writes it; the dev inbox has no certificate, so it never offers STARTTLS.</summary>
    private sealed class PlainPipe(TcpClient client) : ISecurableDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(client.GetStream());

        public PipeWriter Output { get; } = PipeWriter.Create(client.GetStream());

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The dev inbox speaks plain SMTP only.");

        public void Dispose() => client.Dispose();
    }
}
