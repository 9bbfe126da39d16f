namespace MailRelay.DnsPublishing;

/// <summary>What a resolver answers for one record set, beside what is wanted.</summary>
/// <param name="Visible">True when the answer holds exactly the desired values (for SPF/DMARC: the one record of its version).</param>
/// <param name="Answer">The values the resolver gave in the set's slot, or the error it gave.</param>
public sealed record ResolvedCheck(DesiredRecordSet Set, bool Visible, IReadOnlyList<string> Answer);
