using System.Net;
using System.Text.RegularExpressions;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Spf;
using DnsClient;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// SPF (RFC 7208) with ARSoft.Tools.Net's <see cref="SpfValidator"/>: the MAIL FROM identity, or the HELO identity when
/// the sender is null (§2.4), for the client's address. The validator counts the ten DNS-querying terms of §4.6.4
/// (past them: permerror), follows include: and redirect=, and expands macros.
/// </summary>
public sealed partial class SpfChecker
{
    private readonly ILookupClient _client;

    public SpfChecker(ILookupClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    public async Task<SpfOutcome> CheckAsync(IPAddress client, string? heloName, string mailFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(mailFrom);
        var isHelo = mailFrom.Length == 0;
        string? domain;
        string sender;
        if (isHelo)
        {
            domain = heloName?.Trim().TrimEnd('.');
            sender = "postmaster@" + domain;
        }
        else
        {
            domain = AddressParts.DomainOrNull(mailFrom);
            sender = mailFrom;
        }

        // A domain that is not a host name (an address literal, a typo) has no SPF record to find: none (§4.3).
        if (domain is null || !HostName().IsMatch(domain) || !DomainName.TryParse(domain, out var name) || name is null)
        {
            return new SpfOutcome(AuthResult.None, null, null, isHelo);
        }

        domain = domain.ToLowerInvariant();
        var identity = isHelo ? domain : RecordedSender(sender, domain);
        using var resolver = new SpfDnsResolver(_client);
        var validator = new SpfValidator
        {
            DnsResolver = resolver,
            HeloDomain = heloName is not null && DomainName.TryParse(heloName.Trim().TrimEnd('.'), out var helo) ? helo : null,
        };
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        var result = await validator.CheckHostAsync(address, name, sender, expandExplanation: false, cancellationToken);
        return new SpfOutcome(Keyword(result.Result), domain, identity, isHelo);
    }

    /// <summary>The whole address when its local part is plain (letters, digits, <c>. _ + -</c>); else only the domain, which is what DMARC uses.</summary>
    private static string RecordedSender(string sender, string domain)
    {
        var localPart = AddressParts.LocalPart(sender);
        return DotAtom().IsMatch(localPart) ? localPart + "@" + domain : domain;
    }

    private static string Keyword(SpfQualifier qualifier) => qualifier switch
    {
        SpfQualifier.Pass => AuthResult.Pass,
        SpfQualifier.Fail => AuthResult.Fail,
        SpfQualifier.SoftFail => AuthResult.SoftFail,
        SpfQualifier.Neutral => AuthResult.Neutral,
        SpfQualifier.TempError => AuthResult.TempError,
        SpfQualifier.PermError => AuthResult.PermError,
        _ => AuthResult.None,
    };

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*$")]
    private static partial Regex DotAtom();
}
