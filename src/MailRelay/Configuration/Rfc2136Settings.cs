using System.Net;

namespace MailRelay.Configuration;

/// <summary>The RFC 2136 provider's settings.</summary>
public sealed record Rfc2136Settings
{
    /// <summary>DNS_RFC2136_SERVER: the primary that takes UPDATEs (and answers the SOA and record queries).</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>DNS_RFC2136_TSIG_NAME; null = unsigned updates (the server authorises by address).</summary>
    public required string? TsigKeyName { get; init; }

    /// <summary>DNS_RFC2136_TSIG_ALGORITHM, e.g. <c>hmac-sha256</c>.</summary>
    public required string TsigAlgorithm { get; init; }

    /// <summary>DNS_RFC2136_TSIG_SECRET (or _FILE), decoded from base64; a secret. Empty when unsigned.</summary>
    public required byte[] TsigSecret { get; init; }

    public override string ToString() => $"Rfc2136Settings {{ Server = {Server}, TsigKeyName = {TsigKeyName}, TsigAlgorithm = {TsigAlgorithm} }}";
}
