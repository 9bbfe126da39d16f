namespace MailRelay.DnsPublishing;

/// <summary>What the planner decided: the changes to make, in order, and every record set's standing.</summary>
public sealed record DnsPlan(IReadOnlyList<DnsChange> Changes, IReadOnlyList<DnsRecordStatus> Records)
{
    /// <summary>The slots (name, kind) the relay owns once the changes are made: markers read, created or kept.</summary>
    public required IReadOnlyList<(string Name, RecordKind Kind)> OwnedAfter { get; init; }
}
