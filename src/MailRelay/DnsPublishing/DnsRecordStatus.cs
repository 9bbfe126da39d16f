namespace MailRelay.DnsPublishing;

/// <summary>One record set's standing after a plan or an apply.</summary>
/// <param name="Desired">The values wanted; empty for a set of ours that is no longer wanted (to be deleted).</param>
/// <param name="Published">The values published in its slot when read.</param>
/// <param name="Detail">Why it is not in sync (the foreign owner, the values in the way), or null.</param>
public sealed record DnsRecordStatus(
    RecordKind Kind,
    string Name,
    DnsRecordState State,
    IReadOnlyList<string> Desired,
    IReadOnlyList<string> Published,
    string? Detail)
{
    /// <summary>The TTL of the desired records (of the published ones for a set to be deleted).</summary>
    public int Ttl { get; init; }
}
