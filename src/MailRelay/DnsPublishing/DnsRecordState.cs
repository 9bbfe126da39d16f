namespace MailRelay.DnsPublishing;

/// <summary>Where a record set stands; the label values of <c>mailrelay_dns_records{state}</c>.</summary>
public enum DnsRecordState
{
    /// <summary>Published as desired (by us, or identically by someone else).</summary>
    InSync,

    /// <summary>A change is planned or applied but not yet carried out where resolvers see it.</summary>
    Pending,

    /// <summary>Records of the same name and kind that the relay does not own and does not match: left untouched.</summary>
    Conflict,

    /// <summary>The last attempt to read or change them failed.</summary>
    Error,
}
