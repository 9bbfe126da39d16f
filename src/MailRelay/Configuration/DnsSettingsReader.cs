using System.Net;
using System.Text.Json;
using MailRelay.Configuration.Syntax;
using MailRelay.DnsPublishing;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads DNS automation: records, their content, the provider and how the public addresses are found.</summary>
internal static class DnsSettingsReader
{
    private static readonly Dictionary<string, DnsProviderKind> ProviderChoices = new()
    {
        ["none"] = DnsProviderKind.None,
        ["cloudflare"] = DnsProviderKind.Cloudflare,
        ["external-dns"] = DnsProviderKind.ExternalDns,
        ["rfc2136"] = DnsProviderKind.Rfc2136,
    };

    private static readonly Dictionary<string, RecordKind[]> RecordChoices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["a"] = [RecordKind.A, RecordKind.Aaaa],
        ["mx"] = [RecordKind.Mx],
        ["spf"] = [RecordKind.Spf],
        ["dkim"] = [RecordKind.Dkim],
        ["dmarc"] = [RecordKind.Dmarc],
    };

    private static readonly Dictionary<string, string> SpfPolicyChoices = new()
    {
        ["~all"] = "~all",
        ["-all"] = "-all",
        ["?all"] = "?all",
    };

    private static readonly Dictionary<string, string> DmarcPolicyChoices = new()
    {
        ["none"] = "none",
        ["quarantine"] = "quarantine",
        ["reject"] = "reject",
    };

    /// <summary>
    /// RFC 8945 §6 names the algorithms; these are the ones BIND, Knot and PowerDNS all accept, less hmac-sha384,
    /// which the DNS library signs with the wrong digest (every update would be refused as BADSIG).
    /// </summary>
    private static readonly Dictionary<string, string> TsigAlgorithmChoices = new()
    {
        ["hmac-sha256"] = "hmac-sha256",
        ["hmac-sha512"] = "hmac-sha512",
        ["hmac-sha224"] = "hmac-sha224",
        ["hmac-sha1"] = "hmac-sha1",
        ["hmac-md5"] = "hmac-md5",
    };

    public static DnsSettings Read(EnvironmentReader reader, string hostName, DeliverySettings delivery)
    {
        var provider = reader.ReadChoice(N.DnsProvider, ProviderChoices);
        var records = reader.Read<IReadOnlySet<RecordKind>>(N.DnsRecords, ParseRecords);
        var externalIps = ReadExternalIps(reader);
        var detection = reader.ReadBoolean(N.DnsIpDetection);
        var interval = reader.Read<TimeSpan>(N.DnsCheckInterval, DurationSyntax.TryParsePositive,
            computedDefault: externalIps.Count > 0 ? "6h" : "5m");
        var spfIncludes = ReadSpfIncludes(reader);
        var settings = new DnsSettings
        {
            Provider = provider,
            Records = records,
            Ttl = reader.ReadInteger(N.DnsTtl, 60, 86400),
            MxPriority = reader.ReadInteger(N.DnsMxPriority, 0, 65535),
            SpfPolicy = reader.ReadChoice(N.DnsSpfPolicy, SpfPolicyChoices),
            SpfIncludes = spfIncludes,
            DmarcPolicy = reader.ReadChoice(N.DnsDmarcPolicy, DmarcPolicyChoices),
            DmarcReportAddress = ReadDmarcReportAddress(reader),
            DmarcPercent = ReadDmarcPercent(reader),
            OwnerId = ReadOwnerId(reader, hostName),
            ExternalIps = externalIps,
            IpDetection = detection,
            IpDetectUrls = reader.Read<IReadOnlyList<Uri>>(N.DnsIpDetectUrls, ParseUrls),
            KubernetesService = ReadKubernetesName(reader, N.DnsKubernetesService),
            KubernetesNamespace = ReadKubernetesName(reader, N.DnsKubernetesNamespace),
            CheckInterval = interval,
            Cloudflare = ReadCloudflare(reader, provider == DnsProviderKind.Cloudflare),
            Rfc2136 = ReadRfc2136(reader, provider == DnsProviderKind.Rfc2136),
            ExternalDns = ReadExternalDns(reader, provider == DnsProviderKind.ExternalDns),
        };

        if (provider == DnsProviderKind.None)
        {
            return settings;
        }

        var viaSmarthost = delivery.RelayHost is not null;
        if (DnsSettings.NeedsAddresses(records, viaSmarthost) && externalIps.Count == 0 && !detection && !reader.HasError(N.DnsExternalIps))
        {
            reader.Error(N.DnsExternalIps,
                $"is empty and {N.DnsIpDetection} is false, so the relay's public address is unknown: list the addresses in {N.DnsExternalIps} or set {N.DnsIpDetection}=true.");
        }

        if (viaSmarthost && records.Contains(RecordKind.Spf) && spfIncludes.Count == 0)
        {
            reader.Warn(N.DnsSpfInclude,
                $"is empty while mail leaves through RELAY_HOST ({delivery.RelayHost}): the SPF record is not published, because only the smarthost's own SPF (e.g. include:_spf.google.com) describes where the mail comes from.");
        }

        return settings;
    }

    private static bool ParseRecords(string text, out IReadOnlySet<RecordKind> value, out string error)
    {
        var kinds = new HashSet<RecordKind>();
        var unknown = new List<string>();
        foreach (var entry in ListSyntax.Split(text))
        {
            if (RecordChoices.TryGetValue(entry, out var choice))
            {
                kinds.UnionWith(choice);
            }
            else
            {
                unknown.Add($"'{entry}'");
            }
        }

        value = kinds;
        error = unknown.Count == 0 ? string.Empty : $"{string.Join(", ", unknown)} is not one of: a, mx, spf, dkim, dmarc.";
        return unknown.Count == 0;
    }

    private static List<IPAddress> ReadExternalIps(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsExternalIps);
        reader.Resolve(N.DnsExternalIps, given ?? string.Empty, fromDefault: given is null);
        var addresses = new List<IPAddress>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            if (!IPAddress.TryParse(entry, out var address) || entry.Contains('/', StringComparison.Ordinal))
            {
                problems.Add($"'{entry}' is not an IP address");
            }
            else if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                problems.Add($"'{entry}' is not a public address");
            }
            else if (!addresses.Contains(address))
            {
                addresses.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DnsExternalIps, string.Join("; ", problems));
        }

        return addresses;
    }

    private static List<string> ReadSpfIncludes(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsSpfInclude);
        reader.Resolve(N.DnsSpfInclude, given ?? string.Empty, fromDefault: given is null);
        var includes = new List<string>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            // "include:_spf.google.com" or the bare domain; both mean the same mechanism.
            var domainText = entry.StartsWith("include:", StringComparison.OrdinalIgnoreCase) ? entry["include:".Length..] : entry;
            if (domainText.StartsWith('_') && DomainNameSyntax.TryParse(domainText[1..], requireDot: true, out var rest, out _))
            {
                includes.Add("include:_" + rest);
            }
            else if (DomainNameSyntax.TryParse(domainText, requireDot: true, out var domain, out var error))
            {
                includes.Add("include:" + domain);
            }
            else
            {
                problems.Add($"'{entry}': {error}");
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DnsSpfInclude, string.Join("; ", problems) + " Write include:domain, comma-separated.");
        }

        return includes;
    }

    private static string? ReadDmarcReportAddress(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsDmarcRua)?.Trim();
        reader.Resolve(N.DnsDmarcRua, given ?? "postmaster@<domain>", fromDefault: given is null);
        if (given is null)
        {
            return null;
        }

        var address = given.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? given["mailto:".Length..] : given;
        var at = address.LastIndexOf('@');
        if (at <= 0 || address.Any(c => c is ';' or ',' or '!' or ' ' || char.IsControl(c))
            || !DomainNameSyntax.TryParse(address[(at + 1)..], requireDot: true, out _, out _))
        {
            reader.Error(N.DnsDmarcRua, $"'{given}' is not a mail address (local@domain).");
            return null;
        }

        return address;
    }

    private static int? ReadDmarcPercent(EnvironmentReader reader)
    {
        var given = reader.Given(N.DnsDmarcPct)?.Trim();
        reader.Resolve(N.DnsDmarcPct, given ?? string.Empty, fromDefault: given is null);
        if (given is null)
        {
            return null;
        }

        if (int.TryParse(given, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent) && percent is >= 1 and <= 100)
        {
            return percent;
        }

        reader.Error(N.DnsDmarcPct, $"'{given}' is not a whole number from 1 to 100.");
        return null;
    }

    private static string ReadOwnerId(EnvironmentReader reader, string hostName)
    {
        var given = reader.Given(N.DnsOwnerId)?.Trim();
        reader.Resolve(N.DnsOwnerId, given ?? hostName, fromDefault: given is null);
        if (given is null)
        {
            return hostName;
        }

        // The id lives inside a comma-separated TXT value: keep it to characters that cannot break that form.
        if (given.Length > 100 || !given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '@'))
        {
            reader.Error(N.DnsOwnerId, $"'{given}' must be at most 100 letters, digits and - _ . / : @.");
            return hostName;
        }

        return given;
    }

    private static bool ParseUrls(string text, out IReadOnlyList<Uri> value, out string error)
    {
        var urls = new List<Uri>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(text))
        {
            if (Uri.TryCreate(entry, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                urls.Add(url);
            }
            else
            {
                problems.Add($"'{entry}' is not an http(s) URL");
            }
        }

        value = urls;
        error = string.Join("; ", problems);
        return problems.Count == 0;
    }

    /// <summary>A Kubernetes object name (RFC 1123 label: lower case letters, digits, inner hyphens, up to 63).</summary>
    private static string? ReadKubernetesName(EnvironmentReader reader, string name)
    {
        var given = reader.Given(name)?.Trim();
        reader.Resolve(name, given ?? string.Empty, fromDefault: given is null);
        if (given is null)
        {
            return null;
        }

        if (!IsKubernetesLabel(given))
        {
            reader.Error(name, $"'{given}' is not a Kubernetes name (lower case letters, digits and inner hyphens, up to 63).");
            return null;
        }

        return given;
    }

    private static bool IsKubernetesLabel(string text) =>
        text.Length is > 0 and <= 63
        && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && text[0] != '-' && text[^1] != '-';

    private static CloudflareSettings? ReadCloudflare(EnvironmentReader reader, bool used)
    {
        var token = SecretSources.Read(reader, N.CloudflareApiToken, N.CloudflareApiTokenFile);
        var zoneIds = reader.Read<IReadOnlyDictionary<string, string>>(N.CloudflareZoneIds, ParseZoneIds);
        var proxied = reader.ReadBoolean(N.CloudflareProxied);
        var apiUrl = reader.Read<Uri>(N.CloudflareApiUrl, ParseApiUrl);
        if (!used)
        {
            if (token is not null)
            {
                reader.Warn(N.CloudflareApiToken, "is set, but DNS_PROVIDER is not cloudflare, so it is not used.");
            }

            return null;
        }

        if (token is null)
        {
            if (!reader.HasError(N.CloudflareApiToken) && !reader.HasError(N.CloudflareApiTokenFile))
            {
                reader.Error(N.CloudflareApiToken, $"{N.CloudflareApiToken} or {N.CloudflareApiTokenFile} must be set when DNS_PROVIDER is cloudflare.");
            }

            return null;
        }

        if (token.Any(c => char.IsControl(c) || c == ' '))
        {
            reader.Error(N.CloudflareApiToken, "the token contains spaces or control characters.");
            return null;
        }

        return new CloudflareSettings { ApiToken = token, ZoneIds = zoneIds, Proxied = proxied, ApiUrl = apiUrl };
    }

    private static bool ParseZoneIds(string text, out IReadOnlyDictionary<string, string> value, out string error) =>
        TryParseStringMap(text, "must be a JSON object of zone name → zone id, e.g. {\"example.com\": \"0123abcd…\"}.", (name, id) =>
            !DomainNameSyntax.TryParse(name, requireDot: true, out var zoneName, out var zoneError) ? (name, zoneError)
            : id is not { Length: > 0 } || !id.All(char.IsAsciiLetterOrDigit) ? (name, $"the id of '{name}' must be a string of letters and digits")
            : (zoneName, null),
            out value, out error);

    private static bool ParseApiUrl(string text, out Uri value, out string error)
    {
        error = string.Empty;
        if (Uri.TryCreate(text.Trim().TrimEnd('/'), UriKind.Absolute, out value!)
            && (value.Scheme == Uri.UriSchemeHttps || (value.Scheme == Uri.UriSchemeHttp && value.IsLoopback)))
        {
            return true;
        }

        error = $"'{text}' is not an https URL (plain http only for a loopback test server).";
        return false;
    }

    private static Rfc2136Settings? ReadRfc2136(EnvironmentReader reader, bool used)
    {
        var serverText = reader.Given(N.DnsRfc2136Server);
        reader.Resolve(N.DnsRfc2136Server, serverText ?? string.Empty, fromDefault: serverText is null);
        var keyName = reader.Given(N.DnsRfc2136TsigName)?.Trim();
        reader.Resolve(N.DnsRfc2136TsigName, keyName ?? string.Empty, fromDefault: keyName is null);
        var algorithm = reader.ReadChoice(N.DnsRfc2136TsigAlgorithm, TsigAlgorithmChoices);
        var secretText = SecretSources.Read(reader, N.DnsRfc2136TsigSecret, N.DnsRfc2136TsigSecretFile);
        if (!used)
        {
            return null;
        }

        IPEndPoint? server = null;
        if (serverText is null)
        {
            reader.Error(N.DnsRfc2136Server, "must be set when DNS_PROVIDER is rfc2136.");
        }
        else if (!EndpointSyntax.TryParseIPEndPoint(serverText, 53, out var endPoint, out var serverError))
        {
            reader.Error(N.DnsRfc2136Server, serverError);
        }
        else
        {
            server = endPoint;
        }

        var secret = Array.Empty<byte>();
        if (keyName is not null)
        {
            if (!DomainNameSyntax.TryParse(keyName.TrimEnd('.'), requireDot: false, out keyName, out var keyError))
            {
                reader.Error(N.DnsRfc2136TsigName, keyError);
            }

            if (secretText is null)
            {
                if (!reader.HasError(N.DnsRfc2136TsigSecret) && !reader.HasError(N.DnsRfc2136TsigSecretFile))
                {
                    reader.Error(N.DnsRfc2136TsigSecret, $"{N.DnsRfc2136TsigSecret} or {N.DnsRfc2136TsigSecretFile} must be set with {N.DnsRfc2136TsigName}.");
                }
            }
            else
            {
                try
                {
                    secret = Convert.FromBase64String(secretText.Trim());
                }
                catch (FormatException)
                {
                    reader.Error(N.DnsRfc2136TsigSecret, "the TSIG secret is not base64 (as tsig-keygen prints it).");
                }
            }
        }
        else if (secretText is not null)
        {
            reader.Error(N.DnsRfc2136TsigName, $"must be set with {N.DnsRfc2136TsigSecret}: the secret belongs to a named key.");
        }
        else
        {
            reader.Warn(N.DnsRfc2136TsigName, "is not set: updates are sent unsigned, and only a server that authorises the relay's address takes them.");
        }

        return server is null ? null : new Rfc2136Settings
        {
            Server = server,
            TsigKeyName = keyName,
            TsigAlgorithm = algorithm,
            TsigSecret = secret,
        };
    }

    private static ExternalDnsSettings? ReadExternalDns(EnvironmentReader reader, bool used)
    {
        var name = reader.Read(N.DnsEndpointName, (string text, out string value, out string error) =>
        {
            value = text.Trim();
            error = IsKubernetesLabel(value) ? string.Empty : $"'{text}' is not a Kubernetes name (lower case letters, digits and inner hyphens, up to 63).";
            return error.Length == 0;
        });
        var labels = reader.Read<IReadOnlyDictionary<string, string>>(N.DnsEndpointLabels, ParseLabels);
        return used ? new ExternalDnsSettings { EndpointName = name, Labels = labels } : null;
    }

    private static bool ParseLabels(string text, out IReadOnlyDictionary<string, string> value, out string error) =>
        TryParseStringMap(text, "must be a JSON object of label → value.", (name, label) =>
            label is null || name.Length is 0 or > 253 ? (name, $"label '{name}' must have a string value.") : (name, null),
            out value, out error);

    /// <summary>
    /// A JSON object whose values are strings, each entry judged by <paramref name="entry"/> (given the name and the
    /// string, or null for another JSON kind): a problem, or the key to keep the value under. Every problem is reported.
    /// </summary>
    private static bool TryParseStringMap(
        string text, string shape, Func<string, string?, (string Key, string? Problem)> entry, out IReadOnlyDictionary<string, string> value, out string error)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        value = map;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = shape;
                return false;
            }

            var problems = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var stringValue = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                var (key, problem) = entry(property.Name, stringValue);
                if (problem is not null)
                {
                    problems.Add(problem);
                }
                else
                {
                    map[key] = stringValue!;
                }
            }

            error = string.Join("; ", problems);
            return problems.Count == 0;
        }
        catch (JsonException e)
        {
            error = $"is not valid JSON: {e.Message}";
            return false;
        }
    }
}
