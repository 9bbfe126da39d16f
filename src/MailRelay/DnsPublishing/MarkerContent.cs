namespace MailRelay.DnsPublishing;

/// <summary>One ownership marker as read: the name and kind it marks, its owner, the digests of the records it claims.</summary>
public readonly record struct MarkerContent(string MarkedName, string OwnerId, RecordKind Kind, IReadOnlySet<string> Digests, DnsRecord Record)
{
    public bool Claims(DnsRecord record) => Digests.Contains(OwnershipMarker.Digest(record.Value));
}
