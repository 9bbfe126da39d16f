using System.Net;

namespace MailRelay.Configuration;

/// <summary>One SMTP listener from <c>SMTP_LISTENERS</c>.</summary>
/// <param name="EndPoint">
/// The address and port to bind. An entry without an address binds <see cref="IPAddress.IPv6Any"/>, which
/// Kestrel opens dual-stack, so it accepts IPv4 and IPv6 clients.
/// </param>
/// <param name="ProxyProtocol">True when the listener expects PROXY headers from the trusted proxies.</param>
/// <param name="ImplicitTls">True when the listener speaks TLS from the first byte (SMTPS).</param>
public sealed record ListenerEndpoint(IPEndPoint EndPoint, bool ProxyProtocol, bool ImplicitTls)
{
    public override string ToString()
    {
        var address = EndPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{EndPoint.Address}]"
            : EndPoint.Address.ToString();
        return $"{address}:{EndPoint.Port}{(ProxyProtocol ? "/proxy" : string.Empty)}{(ImplicitTls ? "/tls" : string.Empty)}";
    }
}
