namespace MailRelay.Dnsbl;

/// <summary>One whole check: every target on every list of its kind.</summary>
/// <param name="AddressProblem">Why the sending addresses are unknown this time (the IP lists were not asked), else null.</param>
public sealed record DnsblReport(IReadOnlyList<DnsblResult> Results, string? AddressProblem, DateTimeOffset CheckedAt)
{
    public int Count(DnsblState state) => Results.Count(r => r.State == state);

    /// <summary>True when something could not be checked: an error on a list, or unknown addresses.</summary>
    public bool HasErrors => AddressProblem is not null || Count(DnsblState.Error) > 0;
}
