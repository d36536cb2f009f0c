using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Shop.Emulator.Tests.Inbox;

/// <summary>
/// The inbox's end of a loopback connection, which lives in this process, as the kernel sees it: found through Linux's
/// /proc (the connection's inode in /proc/net/tcp, then the file descriptor in /proc/self/fd that points at it).
/// </summary>
internal static class InboxSocket
{
    /// <summary>Whether Nagle's algorithm is off (TCP_NODELAY) on the far end of <paramref name="clientEnd"/>.</summary>
    public static bool NoDelay(Socket clientEnd)
    {
        var inode = Inode(local: (IPEndPoint)clientEnd.RemoteEndPoint!, remote: (IPEndPoint)clientEnd.LocalEndPoint!);
        var descriptor = Descriptor(inode);
        // Not owned: the inbox's socket stays open; this only reads its option.
        using var handle = new SafeSocketHandle(descriptor, ownsHandle: false);
        using var socket = new Socket(handle);
        return socket.NoDelay;
    }

    private static string Inode(IPEndPoint local, IPEndPoint remote)
    {
        // Lines: "sl local_address rem_address st ... inode ...", addresses as hex in host byte order, e.g. 0100007F:1F90.
        var lines = File.ReadLines("/proc/net/tcp").Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var match = lines.FirstOrDefault(fields => fields[1] == Hex(local) && fields[2] == Hex(remote))
            ?? throw new InvalidOperationException($"No TCP connection {local} -> {remote} in /proc/net/tcp.");
        return match[9];
    }

    private static nint Descriptor(string inode)
    {
        var target = $"socket:[{inode}]";
        foreach (var path in Directory.EnumerateFiles("/proc/self/fd"))
        {
            if (new FileInfo(path).LinkTarget == target)
            {
                return nint.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"No file descriptor of this process is {target}.");
    }

    private static string Hex(IPEndPoint endPoint) =>
        string.Create(CultureInfo.InvariantCulture, $"{BitConverter.ToUInt32(endPoint.Address.GetAddressBytes()):X8}:{endPoint.Port:X4}");
}
