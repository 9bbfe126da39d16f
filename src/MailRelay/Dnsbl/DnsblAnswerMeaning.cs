namespace MailRelay.Dnsbl;

/// <summary>What one A answer of a blocklist means, by the list's own return codes.</summary>
public enum DnsblAnswerMeaning
{
    Listed,

    /// <summary>An error code: the query was refused, over quota, from a public resolver, or invalid.</summary>
    Refused,

    /// <summary>An answer the list does not define: perhaps a resolver that rewrites NXDOMAIN. Not trusted as a listing.</summary>
    Unexpected,
}
