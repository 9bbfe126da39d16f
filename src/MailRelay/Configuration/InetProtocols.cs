namespace MailRelay.Configuration;

/// <summary>Which address families outbound delivery connects over (Postfix's <c>inet_protocols</c>).</summary>
public enum InetProtocols
{
    IPv4,
    IPv6,
    All,
}
