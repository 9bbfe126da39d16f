using System.Net;

namespace MailRelay.DnsPublishing;

/// <summary>One run of the publisher: the addresses used, the changes (made, or only planned) and each set's standing.</summary>
public sealed record DnsPublishResult(
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<DesiredRecordSet> Desired,
    IReadOnlyList<DnsChange> Changes,
    IReadOnlyList<DnsRecordStatus> Records,
    bool Applied)
{
    public int Count(DnsRecordState state) => Records.Count(r => r.State == state);
}
