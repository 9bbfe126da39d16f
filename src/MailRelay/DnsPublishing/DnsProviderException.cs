namespace MailRelay.DnsPublishing;

/// <summary>
/// A DNS provider refused or failed a read or a change. The message carries the provider's own words
/// (Cloudflare's error text, the DNS RCODE) and never a credential.
/// </summary>
public sealed class DnsProviderException : Exception
{
    public DnsProviderException()
    {
    }

    public DnsProviderException(string message)
        : base(message)
    {
    }

    public DnsProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
