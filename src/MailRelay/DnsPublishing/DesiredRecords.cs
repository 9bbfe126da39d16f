using System.Net;
using System.Net.Sockets;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing;

/// <summary>
/// The one function from configuration, DKIM keys and public addresses to the records the relay publishes
/// (DESIGN invariant 10). The publisher, <c>dns plan</c> and <c>dkim show</c> all call it, so what is printed is
/// what is published, and what is published is what the relay signs and sends with.
/// </summary>
public static class DesiredRecords
{
    /// <summary>The TTL Cloudflare serves for a proxied record, whatever was asked.</summary>
    public const int ProxiedTtl = 300;

    /// <summary>
    /// A (and AAAA) of MAIL_HOSTNAME; then per domain of MAIL_DOMAINS its MX, SPF, DKIM keys and DMARC; then the keys
    /// of DKIM domains that are not mail domains. A kind not in DNS_RECORDS is left out, and so is SPF when mail
    /// leaves through a smarthost that DNS_SPF_INCLUDE does not name (our own addresses would be the wrong ones).
    /// </summary>
    public static IReadOnlyList<DesiredRecordSet> Compute(
        RelayConfiguration configuration,
        IReadOnlyList<DkimPublicKey> dkimKeys,
        IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(dkimKeys);
        ArgumentNullException.ThrowIfNull(addresses);
        var dns = configuration.Dns;
        var host = configuration.HostName.TrimEnd('.').ToLowerInvariant();
        var wanted = dns.Records;
        var sets = new List<DesiredRecordSet>();
        var v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => a.ToString()).Distinct().ToArray();
        var v6 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(a => a.ToString()).Distinct().ToArray();

        // Cloudflare keeps only its automatic TTL (served as 300 s) on proxied records: wanting another would be a
        // change on every run.
        var addressTtl = dns.Provider == DnsProviderKind.Cloudflare && dns.Cloudflare is { Proxied: true } ? ProxiedTtl : dns.Ttl;
        if (wanted.Contains(RecordKind.A) && v4.Length > 0)
        {
            sets.Add(new DesiredRecordSet(RecordKind.A, host, v4, addressTtl));
        }

        if (wanted.Contains(RecordKind.Aaaa) && v6.Length > 0)
        {
            sets.Add(new DesiredRecordSet(RecordKind.Aaaa, host, v6, addressTtl));
        }

        var spf = SpfValue(configuration, v4, v6);
        var keysByDomain = dkimKeys.ToLookup(k => k.Domain, StringComparer.OrdinalIgnoreCase);
        foreach (var domain in configuration.Domains.Select(d => d.Name))
        {
            if (wanted.Contains(RecordKind.Mx))
            {
                sets.Add(new DesiredRecordSet(RecordKind.Mx, domain, [$"{dns.MxPriority} {host}"], dns.Ttl));
            }

            if (wanted.Contains(RecordKind.Spf) && spf is not null)
            {
                sets.Add(new DesiredRecordSet(RecordKind.Spf, domain, [spf], dns.Ttl));
            }

            AddDkim(sets, wanted, keysByDomain[domain], dns.Ttl);
            if (wanted.Contains(RecordKind.Dmarc))
            {
                sets.Add(new DesiredRecordSet(RecordKind.Dmarc, "_dmarc." + domain, [DmarcValue(dns, domain)], dns.Ttl));
            }
        }

        var mailDomains = configuration.Domains.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var group in keysByDomain.Where(g => !mailDomains.Contains(g.Key)))
        {
            AddDkim(sets, wanted, group, dns.Ttl);
        }

        return sets;
    }

    /// <summary>
    /// <c>v=spf1 ip4:… ip6:… a:host include:… ~all</c> for direct delivery; <c>v=spf1 include:… ~all</c> through a
    /// smarthost; null through a smarthost with no include (nothing true can be said).
    /// </summary>
    public static string? SpfValue(RelayConfiguration configuration, IReadOnlyList<string> v4, IReadOnlyList<string> v6)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(v4);
        ArgumentNullException.ThrowIfNull(v6);
        var dns = configuration.Dns;
        var mechanisms = new List<string>();
        if (configuration.Delivery.RelayHost is null)
        {
            mechanisms.AddRange(v4.Select(a => "ip4:" + a));
            mechanisms.AddRange(v6.Select(a => "ip6:" + a));
            mechanisms.Add("a:" + configuration.HostName.TrimEnd('.').ToLowerInvariant());
        }
        else if (dns.SpfIncludes.Count == 0)
        {
            return null;
        }

        mechanisms.AddRange(dns.SpfIncludes);
        return $"v=spf1 {string.Join(' ', mechanisms)} {dns.SpfPolicy}";
    }

    /// <summary><c>v=DMARC1; p=none; rua=mailto:postmaster@example.com[; pct=50]</c>.</summary>
    public static string DmarcValue(DnsSettings dns, string domain)
    {
        ArgumentNullException.ThrowIfNull(dns);
        var value = $"v=DMARC1; p={dns.DmarcPolicy}; rua=mailto:{dns.DmarcReportAddress ?? "postmaster@" + domain}";
        return dns.DmarcPercent is { } percent ? $"{value}; pct={percent}" : value;
    }

    private static void AddDkim(List<DesiredRecordSet> sets, IReadOnlySet<RecordKind> wanted, IEnumerable<DkimPublicKey> keys, int ttl)
    {
        if (!wanted.Contains(RecordKind.Dkim))
        {
            return;
        }

        foreach (var key in keys.OrderBy(k => k.Selector, StringComparer.Ordinal))
        {
            sets.Add(new DesiredRecordSet(RecordKind.Dkim, key.RecordName, [key.RecordValue], ttl));
        }
    }
}
