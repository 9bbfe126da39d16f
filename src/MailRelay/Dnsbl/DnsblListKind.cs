namespace MailRelay.Dnsbl;

/// <summary>What a blocklist is asked about: a sending address (reversed, RFC 5782 §2.1) or a domain name (§2.2).</summary>
public enum DnsblListKind
{
    Ip,
    Domain,
}
