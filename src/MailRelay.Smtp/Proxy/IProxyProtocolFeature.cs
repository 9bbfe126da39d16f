using System.Net;

namespace MailRelay.Smtp.Proxy;

/// <summary>
/// Set in the connection's features when a trusted proxy sent a valid PROXY header. The connection's
/// RemoteEndPoint/LocalEndPoint already hold the real client; this records the hop in between, for logs.
/// </summary>
public interface IProxyProtocolFeature
{
    /// <summary>The TCP peer that sent the header: the proxy itself.</summary>
    EndPoint? ProxyEndPoint { get; }

    /// <summary>The local endpoint the proxy connected to, before any header-supplied destination replaced it.</summary>
    EndPoint? ProxyLocalEndPoint { get; }

    /// <summary>1 (text) or 2 (binary).</summary>
    int Version { get; }

    /// <summary>A v2 LOCAL header: the proxy's own connection, not a relayed client.</summary>
    bool IsLocal { get; }

    /// <summary>Whether the header supplied the client address (false for LOCAL, UNKNOWN and address-less v2).</summary>
    bool HasClientAddress { get; }
}
