namespace MailRelay.DnsPublishing;

/// <summary>
/// DNS_PROVIDER=none: the operator publishes the records by hand. Nothing is read or written; <c>dns status</c> uses
/// it to check through resolvers that the hand-made records are what the relay would publish.
/// </summary>
public sealed class ManualDnsProvider : IDnsRecordProvider
{
    public string Name => "none (records published by hand)";

    public bool RecordsAreExclusive => false;

    public Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DnsRecord>>([]);

    public Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("DNS_PROVIDER is none: the relay publishes nothing.");
}
