namespace MailRelay.DnsPublishing;

/// <summary>
/// One resource record as a provider holds it. <see cref="Name"/> is the owner name, lower case, without the
/// trailing dot. <see cref="Value"/> is the record's data in one canonical text form: an address for A and
/// AAAA, <c>preference host</c> for MX (host lower case, no trailing dot), and for TXT the character-strings
/// joined without separators — providers split a TXT value into 255-octet strings on the way out and join
/// them on the way in, so values compare equal whatever the provider's form.
/// </summary>
/// <param name="ProviderId">The provider's own handle for the record (a Cloudflare record id); null when it has none.</param>
public sealed record DnsRecord(string Name, DnsRecordType Type, string Value, int Ttl, string? ProviderId = null)
{
    /// <summary>Same name, type and value (TTL and handle aside).</summary>
    public bool SameData(DnsRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
            && Type == other.Type
            && string.Equals(Value, other.Value, StringComparison.Ordinal);
    }

    public override string ToString() => $"{Name} {Ttl} {Type} {(Type == DnsRecordType.TXT ? "\"" + Value + "\"" : Value)}";
}
