using System.Net;
using System.Net.Sockets;

namespace MailRelay.Dkim;

/// <summary>
/// The DNS records a sender domain publishes so receivers accept our mail: the DKIM key, SPF naming our
/// host (and addresses, when known — nothing is looked up) and a starting DMARC policy. Zone-file text.
/// </summary>
public static class DkimRecords
{
    /// <summary><c>example.com. IN TXT "v=spf1 [ip4:…] a:host ~all"</c>.</summary>
    public static string SpfLine(string domain, string hostName, IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var mechanisms = addresses
            .Select(a => (a.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6:" : "ip4:") + a)
            .Append("a:" + hostName.TrimEnd('.'));
        return $"{domain}. IN TXT \"v=spf1 {string.Join(' ', mechanisms)} ~all\"";
    }

    /// <summary><c>_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=mailto:postmaster@example.com"</c>: report only, to start.</summary>
    public static string DmarcLine(string domain) =>
        $"_dmarc.{domain}. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@{domain}\"";

    /// <summary>Writes the three records of one domain with short explanations as zone-file comments.</summary>
    public static void Write(TextWriter output, DkimKey key, string hostName, IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        output.WriteLine($"; {key.Domain}: DKIM key (selector {key.Selector}, rsa {key.KeySize} bits)");
        output.WriteLine(key.ZoneLine);
        output.WriteLine($"; as one value for DNS forms: {DkimTxtRecord.Value(key.PublicKeyBase64)}");
        output.WriteLine($"; {key.Domain}: SPF (merge with an existing v=spf1 record: a domain has only one)");
        output.WriteLine(SpfLine(key.Domain, hostName, addresses));
        output.WriteLine($"; {key.Domain}: DMARC (start with p=none, tighten to quarantine/reject once reports are clean)");
        output.WriteLine(DmarcLine(key.Domain));
    }
}
