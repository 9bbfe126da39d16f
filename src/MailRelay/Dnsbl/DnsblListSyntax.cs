using MailRelay.Configuration.Syntax;

namespace MailRelay.Dnsbl;

/// <summary>
/// DNSBL_IP_LISTS and DNSBL_DOMAIN_LISTS: comma-separated entries <c>zone[=listed[/errors]]</c>, where listed and
/// errors are <c>;</c>-separated answers or ranges (<c>127.0.0.2</c>, <c>127.0.0.2-127.0.0.11</c>). A zone alone takes
/// the return codes of a list this relay knows (<see cref="KnownLists"/>), or else <see cref="GenericListed"/> and
/// <see cref="GenericErrors"/>; <c>none</c> is no list. Every problem is reported; nothing is guessed.
/// </summary>
public static class DnsblListSyntax
{
    public const string DefaultIpLists = "zen.spamhaus.org,bl.spamcop.net,b.barracudacentral.org,bl.mailspike.net,psbl.surriel.com";

    public const string DefaultDomainLists = "dbl.spamhaus.org,multi.surbl.org,multi.uribl.com";

    /// <summary>RFC 5782 §5: 127.0.0.2 and up are listings; 127.0.0.1 is never one.</summary>
    public static readonly IReadOnlyList<AnswerRange> GenericListed = [Range("127.0.0.2-127.0.0.255")];

    /// <summary>
    /// 127.0.0.1 is how URIBL and SURBL say "refused" (bit 1 is no category), and 127.255.255.0/24 is Spamhaus's error
    /// range (.252 a mistyped zone, .254 a public resolver, .255 too many queries).
    /// </summary>
    public static readonly IReadOnlyList<AnswerRange> GenericErrors = [Range("127.0.0.1"), Range("127.255.255.0-127.255.255.255")];

    /// <summary>
    /// The return codes each well-known list documents. Spamhaus: ZEN answers 127.0.0.2–.11 and .30 (SBL, CSS, XBL, PBL,
    /// DROP, BCL), DBL 127.0.1.2–.106, with 127.0.1.255 for a query it does not take (an IP address); SpamCop,
    /// Barracuda and PSBL answer 127.0.0.2; Mailspike 127.0.0.2 or a reputation code in 127.0.0.10–.14; SURBL and
    /// URIBL answer a bitmask in the last octet, 127.0.0.1 being "blocked" / "query refused". The DQS zones
    /// (<c>KEY.zen.dq.spamhaus.net</c>) answer as the public ones.
    /// </summary>
    public static IReadOnlyDictionary<string, (IReadOnlyList<AnswerRange> Listed, IReadOnlyList<AnswerRange> Errors)> KnownLists { get; } =
        new Dictionary<string, (IReadOnlyList<AnswerRange>, IReadOnlyList<AnswerRange>)>(StringComparer.Ordinal)
        {
            ["zen.spamhaus.org"] = ([Range("127.0.0.2-127.0.0.255")], GenericErrors),
            ["zen.dq.spamhaus.net"] = ([Range("127.0.0.2-127.0.0.255")], GenericErrors),
            ["bl.spamcop.net"] = ([Range("127.0.0.2")], GenericErrors),
            ["b.barracudacentral.org"] = ([Range("127.0.0.2")], GenericErrors),
            ["bl.mailspike.net"] = ([Range("127.0.0.2"), Range("127.0.0.10-127.0.0.14")], GenericErrors),
            ["psbl.surriel.com"] = ([Range("127.0.0.2")], GenericErrors),
            ["dbl.spamhaus.org"] = ([Range("127.0.1.2-127.0.1.254")], [Range("127.0.1.255"), .. GenericErrors]),
            ["dbl.dq.spamhaus.net"] = ([Range("127.0.1.2-127.0.1.254")], [Range("127.0.1.255"), .. GenericErrors]),
            ["multi.surbl.org"] = ([Range("127.0.0.2-127.0.0.255")], [Range("127.0.0.1")]),
            ["multi.uribl.com"] = ([Range("127.0.0.2-127.0.0.255")], [Range("127.0.0.1")]),
        };

    /// <summary>Parses a whole variable; <paramref name="error"/> names every bad entry.</summary>
    public static bool TryParse(string text, DnsblListKind kind, out IReadOnlyList<DnsblList> lists, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = new List<DnsblList>();
        var problems = new List<string>();
        lists = parsed;
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            error = string.Empty;
            return true;
        }

        foreach (var entry in ListSyntax.Split(text))
        {
            if (!TryParseEntry(entry, kind, out var list, out var problem))
            {
                problems.Add(problem);
            }
            else if (parsed.Any(l => l.Zone == list.Zone))
            {
                problems.Add($"'{list.Zone}' is given twice.");
            }
            else
            {
                parsed.Add(list);
            }
        }

        if (problems.Count == 0 && parsed.Count == 0)
        {
            problems.Add("is empty; write none for no list.");
        }

        error = problems.Count == 0 ? string.Empty
            : string.Join(" ", problems) + " Write zone, or zone=listed/errors with answers or ranges separated by ';' (e.g. bl.example.net=127.0.0.2-127.0.0.11/127.0.0.1), or none.";
        return problems.Count == 0;
    }

    /// <summary>One entry, <c>zone[=listed[/errors]]</c>.</summary>
    public static bool TryParseEntry(string entry, DnsblListKind kind, out DnsblList list, out string error)
    {
        ArgumentNullException.ThrowIfNull(entry);
        list = null!;
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        var zoneText = (equals < 0 ? entry : entry[..equals]).Trim();
        if (!DomainNameSyntax.TryParse(zoneText, requireDot: true, out var zone, out var zoneError))
        {
            error = $"'{entry}': {zoneError}";
            return false;
        }

        var name = NameOf(zone, out var known);
        if (equals < 0)
        {
            var (listed, errors) = known ?? (GenericListed, GenericErrors);
            list = new DnsblList(name, zone, kind, listed, errors);
            error = string.Empty;
            return true;
        }

        var codes = entry[(equals + 1)..].Split('/');
        if (codes.Length > 2)
        {
            error = $"'{entry}' has more than one '/' (listed/errors).";
            return false;
        }

        if (!TryParseRanges(codes[0], out var listedRanges, out error) || listedRanges.Count == 0)
        {
            error = $"'{entry}': " + (listedRanges.Count == 0 && error.Length == 0 ? "the answers meaning listed are missing after '='." : error);
            return false;
        }

        IReadOnlyList<AnswerRange> errorRanges = [];
        if (codes.Length == 2 && !TryParseRanges(codes[1], out errorRanges, out error))
        {
            error = $"'{entry}': {error}";
            return false;
        }

        foreach (var listed in listedRanges)
        {
            var overlap = errorRanges.Where(listed.Overlaps).ToArray();
            if (overlap.Length > 0)
            {
                error = $"'{entry}': {listed} is both a listing and an error ({overlap[0]}).";
                return false;
            }
        }

        list = new DnsblList(name, zone, kind, listedRanges, errorRanges);
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// A list setting as <c>config check</c> prints it: the subscriber key of each Spamhaus DQS zone
    /// (<c>KEY.zen.dq.spamhaus.net</c>) is a credential and prints as <see cref="Configuration.ConfigurationReport.Redacted"/>;
    /// everything else as given.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(',', text.Split(',').Select(entry =>
        {
            var trimmed = entry.Trim();
            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            var zone = equals < 0 ? trimmed : trimmed[..equals];
            var name = NameOf(zone.TrimEnd('.').ToLowerInvariant(), out _);
            var isDqs = name is "zen.dq.spamhaus.net" or "dbl.dq.spamhaus.net" && zone.Length > name.Length + 1;
            return isDqs ? Configuration.ConfigurationReport.Redacted + "." + name + trimmed[zone.Length..] : entry;
        }));
    }

    /// <summary>
    /// The name for metrics and logs. A DQS zone carries the subscriber's key as its first label; the key is a credential
    /// and stays out of metric labels and logs.
    /// </summary>
    private static string NameOf(string zone, out (IReadOnlyList<AnswerRange>, IReadOnlyList<AnswerRange>)? known)
    {
        if (KnownLists.TryGetValue(zone, out var codes))
        {
            known = codes;
            return zone;
        }

        foreach (var dqs in (string[])["zen.dq.spamhaus.net", "dbl.dq.spamhaus.net"])
        {
            if (zone.EndsWith("." + dqs, StringComparison.Ordinal))
            {
                known = KnownLists[dqs];
                return dqs;
            }
        }

        known = null;
        return zone;
    }

    private static bool TryParseRanges(string text, out IReadOnlyList<AnswerRange> ranges, out string error)
    {
        var parsed = new List<AnswerRange>();
        ranges = parsed;
        error = string.Empty;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!AnswerRange.TryParse(part, out var range, out error))
            {
                return false;
            }

            parsed.Add(range);
        }

        return true;
    }

    private static AnswerRange Range(string text) =>
        AnswerRange.TryParse(text, out var range, out var error) ? range : throw new InvalidOperationException(error);
}
