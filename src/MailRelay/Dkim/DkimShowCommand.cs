using MailRelay.Configuration;
using MailRelay.DnsPublishing;

namespace MailRelay.Dkim;

/// <summary>
/// <c>MailRelay dkim show [domain]</c>: prints the DNS records of a domain exactly as the DNS publisher computes them
/// (<see cref="DesiredRecords"/>), from the keys already on disk. Never generates a key (the daemon does that on its
/// first start). Addresses come from DNS_EXTERNAL_IPS; detected ones are known only to <c>dns plan</c>.
/// </summary>
public static class DkimShowCommand
{
    public static int Run(RelayConfiguration configuration, string? domain, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var settings = configuration.Dkim;
        if (!settings.Enabled)
        {
            stderr.WriteLine("DKIM is disabled (DKIM_ENABLED=false); no records to publish.");
            return 1;
        }

        var domains = settings.Domains;
        if (domain is not null)
        {
            var wanted = domain.Trim().TrimEnd('.').ToLowerInvariant();
            domains = settings.Domains.Where(d => d.Name == wanted).ToList();
            if (domains.Count == 0)
            {
                stderr.WriteLine($"{wanted} is not a DKIM domain (DKIM_DOMAINS: {string.Join(", ", settings.Domains.Select(d => d.Name))}).");
                return 1;
            }
        }

        if (domains.Count == 0)
        {
            stderr.WriteLine("No DKIM domains are configured (DKIM_DOMAINS, or MAIL_DOMAINS).");
            return 1;
        }

        IReadOnlyList<DkimPublicKey> keys;
        try
        {
            keys = DkimKeysOnDisk.Read(settings);
        }
        catch (DkimConfigurationException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }

        var exitCode = 0;
        var addresses = configuration.Dns.ExternalIps;
        var sets = DesiredRecords.Compute(configuration, keys, addresses);
        if (addresses.Count == 0 && DnsSettings.NeedsAddresses(configuration.Dns.Records, configuration.Delivery.RelayHost is not null))
        {
            stdout.WriteLine("; DNS_EXTERNAL_IPS is empty: the A records and the SPF ip4:/ip6: come from the detected address; `MailRelay dns plan` shows them.");
        }

        DesiredRecordsWriter.Write(stdout, sets.Where(s => s.Kind is RecordKind.A or RecordKind.Aaaa));
        foreach (var mailDomain in domains)
        {
            var files = DkimKeyFiles.For(settings.KeyDirectory, mailDomain.Name, mailDomain.DkimSelector);
            if (!keys.Any(k => k.Domain == mailDomain.Name && k.Selector == mailDomain.DkimSelector))
            {
                stderr.WriteLine(
                    $"No DKIM key for {mailDomain.Name} yet ({files.PrivateKeyPath}): the daemon generates it on its first start " +
                    "(DKIM_AUTO_GENERATE=true), or provide one there.");
                exitCode = 1;
                continue;
            }

            DesiredRecordsWriter.Write(stdout, sets.Where(s => s.Kind is not (RecordKind.A or RecordKind.Aaaa) && BelongsTo(s.Name, mailDomain.Name)));
            stdout.WriteLine();
        }

        return exitCode;
    }

    /// <summary>The domain itself, its _dmarc and its _domainkey names.</summary>
    private static bool BelongsTo(string name, string domain) =>
        name == domain || name == "_dmarc." + domain || name.EndsWith("._domainkey." + domain, StringComparison.Ordinal);
}
