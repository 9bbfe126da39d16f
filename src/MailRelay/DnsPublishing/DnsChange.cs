namespace MailRelay.DnsPublishing;

/// <summary>
/// One change to published records. <see cref="Existing"/> is the record as read (with its provider handle) for
/// an update or a delete; <see cref="Replacement"/> is the new record for a create or an update.
/// </summary>
public sealed record DnsChange(DnsChangeAction Action, DnsRecord? Existing, DnsRecord? Replacement)
{
    public static DnsChange Create(DnsRecord record) => new(DnsChangeAction.Create, null, record);

    public static DnsChange Update(DnsRecord existing, DnsRecord replacement) => new(DnsChangeAction.Update, existing, replacement);

    public static DnsChange Delete(DnsRecord existing) => new(DnsChangeAction.Delete, existing, null);

    /// <summary>The name the change touches.</summary>
    public string Name => (Replacement ?? Existing)!.Name;

    public override string ToString() => Action switch
    {
        DnsChangeAction.Create => $"create {Replacement}",
        DnsChangeAction.Delete => $"delete {Existing}",
        _ => $"update {Existing} -> {Replacement}",
    };
}
