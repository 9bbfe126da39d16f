using System.Net;

namespace MailRelay.Smtp.Proxy;

/// <summary>
/// One parsed PROXY protocol header. <see cref="Source"/> and <see cref="Destination"/> are null when
/// the header carries no usable address (v2 LOCAL, v1 UNKNOWN, v2 AF_UNSPEC / AF_UNIX / DGRAM): the
/// connection's own endpoints then stay in force, as the specification asks.
/// </summary>
/// <param name="Version">1 for the text form, 2 for the binary form.</param>
/// <param name="IsLocal">True for a v2 LOCAL command (a health check or the proxy's own connection).</param>
/// <param name="Source">The original client, or null.</param>
/// <param name="Destination">The address the client connected to on the proxy, or null.</param>
/// <param name="Length">Bytes the header occupies on the wire; exactly these are consumed.</param>
public sealed record ProxyHeader(int Version, bool IsLocal, IPEndPoint? Source, IPEndPoint? Destination, int Length)
{
    /// <summary>Whether the header names a client to use instead of the TCP peer.</summary>
    public bool HasAddresses => Source is not null && Destination is not null;
}
