using System.Net;
using MailRelay.Configuration.Syntax;
using MailRelay.Dnsbl;
using MailRelay.DnsPublishing.Addresses;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the blocklist monitor's settings (DNSBL_*), with the sending addresses taken from DNS publishing when not given.</summary>
internal static class DnsblSettingsReader
{
    /// <summary>Blocklists ask for low query volumes; a check more often than this helps nobody and risks being refused.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(1);

    public static DnsblSettings Read(EnvironmentReader reader, IReadOnlyList<MailDomain> mailDomains, DeliverySettings delivery, DnsSettings dns)
    {
        var interval = reader.Read<TimeSpan>(N.DnsblInterval, ParseInterval);
        var ips = ReadAddresses(reader);
        var domains = ReadDomains(reader, mailDomains);
        var ipLists = reader.Read<IReadOnlyList<DnsblList>>(N.DnsblIpLists,
            (string text, out IReadOnlyList<DnsblList> value, out string error) => DnsblListSyntax.TryParse(text, DnsblListKind.Ip, out value, out error));
        var domainLists = reader.Read<IReadOnlyList<DnsblList>>(N.DnsblDomainLists,
            (string text, out IReadOnlyList<DnsblList> value, out string error) => DnsblListSyntax.TryParse(text, DnsblListKind.Domain, out value, out error));
        foreach (var name in (string[])[N.DnsblIpLists, N.DnsblDomainLists])
        {
            // A Spamhaus DQS key is a credential: config check prints the lists without it.
            if (reader.Given(name) is { } listText)
            {
                reader.Resolve(name, DnsblListSyntax.Redact(listText), fromDefault: false);
            }
        }

        var (origin, unknownAddresses) = ips.Count > 0 ? (DnsblAddressOrigin.DnsblIps, null)
            : delivery.RelayHost is not null
                ? (DnsblAddressOrigin.None, $"mail leaves through RELAY_HOST ({delivery.RelayHost}), whose addresses are its operator's to watch; set {N.DnsblIps} to check addresses")
            : dns.ExternalIps.Count > 0 ? (DnsblAddressOrigin.DnsExternalIps, null)
            : dns.Provider != DnsProviderKind.None && dns.IpDetection ? (DnsblAddressOrigin.Detected, null)
            : (DnsblAddressOrigin.None, (string?)$"the sending addresses are unknown: set {N.DnsblIps}, or {N.DnsExternalIps}, or a DNS_PROVIDER with {N.DnsIpDetection}");
        var addresses = origin switch
        {
            DnsblAddressOrigin.DnsblIps => ips,
            DnsblAddressOrigin.DnsExternalIps => dns.ExternalIps,
            _ => [],
        };
        var somethingToCheck = (origin != DnsblAddressOrigin.None && ipLists.Count > 0) || (domains.Count > 0 && domainLists.Count > 0);

        var given = reader.Given(N.DnsblEnabled);
        bool enabled;
        string? offReason = null;
        if (given is not null)
        {
            reader.Resolve(N.DnsblEnabled, given, fromDefault: false);
            if (!BooleanSyntax.TryParse(given, out enabled, out var error))
            {
                reader.Error(N.DnsblEnabled, error);
            }
            else if (!enabled)
            {
                offReason = $"{N.DnsblEnabled} is false";
            }
            else if (!somethingToCheck && !reader.HasError(N.DnsblIpLists) && !reader.HasError(N.DnsblDomainLists) && !reader.HasError(N.DnsblIps) && !reader.HasError(N.DnsblDomains))
            {
                reader.Error(N.DnsblEnabled,
                    $"is true but there is nothing to check: {unknownAddresses ?? "no IP list is set"}, and no domain is checked on a domain list ({N.DnsblDomains}, {N.DnsblDomainLists}).");
            }
            else if (unknownAddresses is not null && ipLists.Count > 0)
            {
                reader.Warn(N.DnsblIps, $"is empty and {unknownAddresses}; only domains are checked.");
            }
        }
        else
        {
            enabled = origin != DnsblAddressOrigin.None && somethingToCheck;
            offReason = enabled ? null : unknownAddresses ?? "no list is set (DNSBL_IP_LISTS and DNSBL_DOMAIN_LISTS are none)";
            reader.Resolve(N.DnsblEnabled, enabled ? "true" : "false", fromDefault: true);
        }

        return new DnsblSettings
        {
            Enabled = enabled,
            OffReason = offReason,
            Interval = interval,
            AddressOrigin = origin,
            Addresses = addresses,
            Domains = domains,
            IpLists = ipLists,
            DomainLists = domainLists,
        };
    }

    private static bool ParseInterval(string text, out TimeSpan value, out string error)
    {
        if (!DurationSyntax.TryParsePositive(text, out value, out error))
        {
            return false;
        }

        if (value < MinInterval)
        {
            error = $"'{text}' is shorter than 1m; blocklists refuse resolvers that ask too often.";
            return false;
        }

        return true;
    }

    private static List<IPAddress> ReadAddresses(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsblIps);
        reader.Resolve(N.DnsblIps, given ?? string.Empty, fromDefault: given is null);
        var addresses = new List<IPAddress>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            if (!IPAddress.TryParse(entry, out var address) || entry.Contains('/', StringComparison.Ordinal) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && entry.Split('.').Length != 4))
            {
                problems.Add($"'{entry}' is not an IP address");
            }
            else if (!PublicAddress.IsPublic(address))
            {
                problems.Add($"'{entry}' is not a public address (blocklists list only those)");
            }
            else
            {
                address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DnsblIps, string.Join("; ", problems) + ".");
        }

        return addresses;
    }

    private static List<string> ReadDomains(EnvironmentReader reader, IReadOnlyList<MailDomain> mailDomains)
    {
        var given = reader.Given(N.DnsblDomains);
        if (given is null)
        {
            var names = mailDomains.Select(d => d.Name).ToList();
            reader.Resolve(N.DnsblDomains, string.Join(",", names), fromDefault: true);
            return names;
        }

        reader.Resolve(N.DnsblDomains, given, fromDefault: false);
        if (string.Equals(given.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var domains = new List<string>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            if (DomainNameSyntax.TryParse(entry, requireDot: true, out var domain, out var error))
            {
                if (!domains.Contains(domain))
                {
                    domains.Add(domain);
                }
            }
            else
            {
                problems.Add(error);
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DnsblDomains, string.Join(" ", problems) + " Write domains, comma-separated, or none.");
        }

        return domains;
    }
}
