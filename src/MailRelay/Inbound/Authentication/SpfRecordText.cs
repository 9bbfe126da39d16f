using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Spf;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// Prepares TXT texts for ARSoft's SPF validator, which departs from RFC 7208 in two places: it recognises a record only
/// by a lower-case <c>v=spf1 </c> with a space (so a bare <c>v=spf1</c>, which §4.6 makes neutral, or an upper-case
/// version tag, read as "no record"); and it accepts unknown mechanisms and malformed ip4:/ip6: terms, failing only if
/// evaluation reaches them, where §4.6 says that a syntax error anywhere makes the result permerror. The version tag is
/// normalised here, and a record with such an error is replaced by one that the validator cannot parse (permerror).
/// </summary>
internal static class SpfRecordText
{
    private const string Version = "v=spf1";

    /// <summary>Something ARSoft's term parser refuses, so that the record it stands for is a permerror.</summary>
    private const string Unparsable = Version + " !";

    public static string Prepare(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Version, StringComparison.OrdinalIgnoreCase) || (text.Length > Version.Length && text[Version.Length] != ' '))
        {
            return text;
        }

        var normalised = Version + " " + text[Version.Length..].TrimStart(' ');
        if (!SpfRecord.TryParse(normalised, out var record) || record is null)
        {
            return normalised;
        }

        return record.Terms.All(IsValid) ? normalised : Unparsable;
    }

    private static bool IsValid(SpfTerm term) => term switch
    {
        SpfMechanism { Type: SpfMechanismType.Unknown } => false,
        SpfMechanism { Type: SpfMechanismType.Ip4 } m => IsAddress(m.Domain, AddressFamily.InterNetwork, m.Prefix, 32),
        SpfMechanism { Type: SpfMechanismType.Ip6 } m => IsAddress(m.Domain, AddressFamily.InterNetworkV6, m.Prefix, 128),
        SpfMechanism { Type: SpfMechanismType.Include or SpfMechanismType.Exists } m => !string.IsNullOrEmpty(m.Domain),
        _ => true,
    };

    private static bool IsAddress(string? text, AddressFamily family, int? prefix, int maxPrefix) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == family && (prefix is null || (prefix >= 0 && prefix <= maxPrefix));
}
