using MailRelay.RateLimiting;
using MimeKit;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// DMARC (RFC 7489): the policy of the RFC5322.From domain, found at <c>_dmarc.</c> the domain or else at its
/// organizational domain (the Public Suffix List, both sections, as DMARC verifiers use it), and the identifier
/// alignment (§3.1) of the SPF-passing envelope domain and of each DKIM-passing <c>d=</c>, relaxed or strict.
/// </summary>
public sealed class DmarcChecker
{
    private readonly AuthenticationDns _dns;
    private readonly PublicSuffixList _suffixes;
    private readonly Random _sampling;

    /// <param name="suffixes">The whole list (<c>icannOnly: false</c>): a customer of a hosting platform is its own organization.</param>
    /// <param name="sampling">Draws the pct sample (§6.6.4).</param>
    public DmarcChecker(AuthenticationDns dns, PublicSuffixList suffixes, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(suffixes);
        ArgumentNullException.ThrowIfNull(sampling);
        _dns = dns;
        _suffixes = suffixes;
        _sampling = sampling;
    }

    /// <param name="spf">The SPF outcome; null when SPF was not checked.</param>
    /// <param name="dkim">The DKIM outcomes; empty when DKIM was not checked.</param>
    public async Task<DmarcOutcome> CheckAsync(MimeMessage message, SpfOutcome? spf, IReadOnlyList<DkimSignatureOutcome> dkim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(dkim);
        var from = FromDomain(message);
        if (from is null)
        {
            // No single author domain (§6.6.1): there is no policy to look up.
            return new DmarcOutcome(AuthResult.PermError, null, null, null, null);
        }

        var lookup = await FindRecordAsync(from, cancellationToken);
        if (lookup.Result is not null)
        {
            return new DmarcOutcome(lookup.Result, from, null, null, null);
        }

        var record = lookup.Record!;
        var requested = lookup.AtOrganization ? record.SubdomainPolicy : record.Policy;
        var spfAligned = spf is { Domain: { } spfDomain } && Aligned(spfDomain, from, record.StrictSpf);
        var dkimAligned = dkim.Where(d => d.Domain is not null && Aligned(d.Domain, from, record.StrictDkim)).ToArray();
        if ((spfAligned && spf!.Result == AuthResult.Pass) || dkimAligned.Any(d => d.Result == AuthResult.Pass))
        {
            return new DmarcOutcome(AuthResult.Pass, from, record, requested, null);
        }

        // An aligned identifier that could not be checked might have passed: the answer is "try later", not "fail".
        if ((spfAligned && spf!.Result == AuthResult.TempError) || dkimAligned.Any(d => d.Result == AuthResult.TempError))
        {
            return new DmarcOutcome(AuthResult.TempError, from, record, requested, null);
        }

        return new DmarcOutcome(AuthResult.Fail, from, record, requested, Sample(requested, record.Percent));
    }

    /// <summary>Whether two domains align: equal (strict), or with the same organizational domain (relaxed).</summary>
    public bool Aligned(string identifier, string fromDomain, bool strict)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(fromDomain);
        var a = PublicSuffixList.Normalise(identifier);
        var b = PublicSuffixList.Normalise(fromDomain);
        return string.Equals(a, b, StringComparison.Ordinal)
            || (!strict && string.Equals(_suffixes.GetRegistrableDomain(a), _suffixes.GetRegistrableDomain(b), StringComparison.Ordinal));
    }

    /// <summary>The one domain of the one From field, lower case ASCII; null when there are none or several.</summary>
    public static string? FromDomain(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Headers.Count(h => h.Id == HeaderId.From) != 1)
        {
            return null;
        }

        var domains = message.From.Mailboxes
            .Select(m => m.Domain)
            .Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(d => PublicSuffixList.Normalise(d))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return domains.Length == 1 && domains[0].Contains('.', StringComparison.Ordinal) ? domains[0] : null;
    }

    private async Task<(string? Result, DmarcRecord? Record, bool AtOrganization)> FindRecordAsync(string from, CancellationToken cancellationToken)
    {
        var (result, record) = await LookupAsync(from, cancellationToken);
        if (result != AuthResult.None || record is not null)
        {
            return (result, record, false);
        }

        var organization = _suffixes.GetRegistrableDomain(from);
        if (string.Equals(organization, from, StringComparison.Ordinal))
        {
            return (AuthResult.None, null, false);
        }

        (result, record) = await LookupAsync(organization, cancellationToken);
        return (record is null ? result : null, record, true);
    }

    /// <summary>(null, record) when one usable record was found; (none, null) when none; (temperror or permerror, null) otherwise.</summary>
    private async Task<(string? Result, DmarcRecord? Record)> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        var lookup = await _dns.QueryTxtAsync("_dmarc." + domain, cancellationToken);
        if (lookup.Status == TxtLookupStatus.TemporaryFailure)
        {
            return (AuthResult.TempError, null);
        }

        var records = lookup.Records.Where(DmarcRecord.IsDmarc).ToArray();
        if (records.Length != 1)
        {
            // None, or several, which §6.6.3 treats as none.
            return (AuthResult.None, null);
        }

        var record = DmarcRecord.Parse(records[0]);
        return record is null ? (AuthResult.PermError, null) : (null, record);
    }

    /// <summary>pct: a message outside the sample gets the next weaker policy (reject → quarantine → none).</summary>
    private string Sample(string policy, int percent)
    {
        if (percent >= 100 || _sampling.Next(100) < percent)
        {
            return policy;
        }

        return policy == DmarcRecord.PolicyReject ? DmarcRecord.PolicyQuarantine : DmarcRecord.PolicyNone;
    }
}
