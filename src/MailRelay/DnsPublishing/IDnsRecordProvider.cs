namespace MailRelay.DnsPublishing;

/// <summary>
/// Where the records are published. A provider only reads and writes records; which records are wanted, which
/// are ours and what has to change is decided by the planner, the same for every provider.
/// </summary>
public interface IDnsRecordProvider
{
    /// <summary>The DNS_PROVIDER word: <c>cloudflare</c>, <c>rfc2136</c>, <c>external-dns</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True when every record the provider reads belongs to this relay alone (its own DNSEndpoint object): then no
    /// ownership markers are written and nothing read is a conflict. False for a shared zone.
    /// </summary>
    bool RecordsAreExclusive { get; }

    /// <summary>
    /// The A, AAAA, MX and TXT records published at each of <paramref name="names"/> (lower case, no trailing dot).
    /// May return records at other names too (a whole zone), which the planner ignores.
    /// </summary>
    /// <exception cref="DnsProviderException">The provider could not be read.</exception>
    Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>Applies the changes, in order. Records of an update or a delete are ones this provider returned from <see cref="ReadAsync"/>.</summary>
    /// <exception cref="DnsProviderException">A change was refused; earlier changes may have been applied (the next plan sees them).</exception>
    Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken);

    /// <summary>
    /// Whether what was applied has been carried out where resolvers see it. A provider that writes DNS directly
    /// (Cloudflare, RFC 2136) is done when <see cref="ApplyAsync"/> returns; a DNSEndpoint waits for external-dns.
    /// </summary>
    Task<bool> HasConvergedAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
