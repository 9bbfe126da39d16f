using System.Net;

namespace MailRelay.Smtp.Session;

/// <summary>What the handler knows about one SMTP session.</summary>
public sealed class SessionContext
{
    public SessionContext(string id, EndPoint? remoteEndPoint, EndPoint? localEndPoint)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>Kestrel's connection id, used to correlate log events.</summary>
    public string Id { get; }

    /// <summary>The real client: the PROXY header's source when it came from a trusted proxy, else the TCP peer.</summary>
    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary>The client's address, IPv4-mapped IPv6 addresses unmapped; null for non-IP transports.</summary>
    public IPAddress? RemoteAddress => RemoteEndPoint is IPEndPoint ip
        ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
        : null;

    /// <summary>The EHLO/HELO argument, once given.</summary>
    public string? HeloName { get; internal set; }

    /// <summary>Whether the client used EHLO (ESMTP) rather than HELO.</summary>
    public bool IsExtended { get; internal set; }

    /// <summary>Whether the connection is protected by TLS (STARTTLS or implicit).</summary>
    public bool IsSecure { get; internal set; }

    /// <summary>Cipher suite / protocol description when <see cref="IsSecure"/>.</summary>
    public string? TlsDescription { get; internal set; }

    /// <summary>The authenticated identity, when the client authenticated.</summary>
    public string? AuthenticatedUser { get; internal set; }
}
