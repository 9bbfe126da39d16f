using System.Globalization;
using System.Net;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// Translates between Cloudflare's record objects and <see cref="DnsRecord"/>'s canonical form, so the planner
/// compares values without knowing that Cloudflare keeps an MX preference in <c>priority</c>, TXT as quoted text,
/// and names and hosts in whatever case they were written.
/// </summary>
internal static class CloudflareRecordMapping
{
    /// <summary>The <c>ttl</c> that means "automatic"; proxied records always have it, whatever was sent.</summary>
    public const int AutomaticTtl = 1;

    /// <summary>What resolvers are served for an automatic TTL (Cloudflare documents 300 s).</summary>
    public const int AutomaticTtlSeconds = 300;

    /// <summary>The record in canonical form, or null for a type the relay neither publishes nor reads (CNAME, NS, ...).</summary>
    public static DnsRecord? ToDnsRecord(CloudflareRecordJson json)
    {
        ArgumentNullException.ThrowIfNull(json);
        DnsRecordType? type = json.Type switch
        {
            "A" => DnsRecordType.A,
            "AAAA" => DnsRecordType.AAAA,
            "MX" => DnsRecordType.MX,
            "TXT" => DnsRecordType.TXT,
            _ => null,
        };
        if (type is not { } known)
        {
            return null;
        }

        var value = known switch
        {
            DnsRecordType.MX => string.Create(CultureInfo.InvariantCulture, $"{json.Priority ?? 0} {HostName(json.Content)}"),
            DnsRecordType.TXT => CloudflareTxtContent.Join(json.Content),
            _ => IPAddress.TryParse(json.Content, out var address) ? address.ToString() : json.Content,
        };
        // The TTL resolvers see, so a record asked for with 300 s and stored as automatic compares equal.
        var ttl = json.Ttl == AutomaticTtl ? AutomaticTtlSeconds : json.Ttl;
        return new DnsRecord(HostName(json.Name), known, value, ttl, json.Id);
    }

    /// <summary>
    /// The body of a create or an update. Only A and AAAA may be proxied (Cloudflare answers with its own addresses
    /// for them); an MX or TXT can never be, so <paramref name="proxyAddresses"/> is ignored for those. A proxied
    /// record's TTL is Cloudflare's to choose: it is sent as automatic, the only value Cloudflare keeps for it.
    /// </summary>
    /// <exception cref="DnsProviderException">An MX value is not <c>preference host</c>.</exception>
    public static CloudflareRecordJson ToRequestBody(DnsRecord record, bool proxyAddresses)
    {
        ArgumentNullException.ThrowIfNull(record);
        var content = record.Value;
        int? priority = null;
        if (record.Type == DnsRecordType.MX)
        {
            var space = record.Value.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !ushort.TryParse(record.Value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var preference))
            {
                throw new DnsProviderException($"The MX value \"{record.Value}\" for {record.Name} is not \"<preference> <host>\"");
            }

            priority = preference;
            content = record.Value[(space + 1)..];
        }
        else if (record.Type == DnsRecordType.TXT)
        {
            content = CloudflareTxtContent.Format(record.Value);
        }

        var proxied = proxyAddresses && record.Type is DnsRecordType.A or DnsRecordType.AAAA;
        return new CloudflareRecordJson
        {
            Type = record.Type.ToString(),
            Name = record.Name,
            Content = content,
            Ttl = proxied ? AutomaticTtl : record.Ttl,
            Proxied = proxied,
            Priority = priority,
        };
    }

    /// <summary>DNS names compare case-insensitively and Cloudflare may return either form: lower case, no trailing dot.</summary>
    private static string HostName(string name) => name.TrimEnd('.').ToLowerInvariant();
}
