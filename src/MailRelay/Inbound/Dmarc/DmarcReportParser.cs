using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace MailRelay.Inbound.Dmarc;

/// <summary>
/// Reads the aggregate report XML (RFC 7489 appendix C; also the DMARCbis namespace and the providers' extra
/// elements, matched by local name). Hostile input is expected: no DTD (so no entity expansion), no external
/// resolution, a bound on the characters read, and every value checked before use.
/// </summary>
public static class DmarcReportParser
{
    /// <summary>Most characters of report XML read (the uncompressed size is bounded the same way before this).</summary>
    public const long MaxCharacters = DmarcReportExtractor.MaxReportBytes;

    /// <summary>Most records (rows) taken from one report; real reports have a few to a few thousand.</summary>
    public const int MaxRecords = 100_000;

    /// <summary>Parses <paramref name="xml"/>; throws <see cref="DmarcReportException"/> when it is not a usable report.</summary>
    public static DmarcReport Parse(Stream xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = false,
        };
        XElement root;
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            root = XElement.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new DmarcReportException("not well-formed XML: " + ex.Message, ex);
        }

        if (root.Name.LocalName != "feedback")
        {
            throw new DmarcReportException($"the root element is <{root.Name.LocalName}>, not <feedback>");
        }

        var metadata = Child(root, "report_metadata") ?? throw new DmarcReportException("no report_metadata");
        var range = Child(metadata, "date_range") ?? throw new DmarcReportException("no date_range");
        var policy = Child(root, "policy_published") ?? throw new DmarcReportException("no policy_published");
        var records = new List<DmarcReportRecord>();
        foreach (var record in Children(root, "record"))
        {
            if (records.Count == MaxRecords)
            {
                throw new DmarcReportException($"more than {MaxRecords} records");
            }

            records.Add(ParseRecord(record));
        }

        var begin = Epoch(Required(range, "begin"));
        var end = Epoch(Required(range, "end"));
        return new DmarcReport
        {
            OrgName = Required(metadata, "org_name"),
            Email = Text(metadata, "email"),
            ReportId = Required(metadata, "report_id"),
            Begin = begin,
            End = end,
            Domain = Required(policy, "domain").ToLowerInvariant(),
            Policy = Text(policy, "p")?.ToLowerInvariant(),
            Records = records,
        };
    }

    private static DmarcReportRecord ParseRecord(XElement record)
    {
        var row = Child(record, "row") ?? throw new DmarcReportException("a record without a row");
        var evaluated = Child(row, "policy_evaluated") ?? throw new DmarcReportException("a row without policy_evaluated");
        var sourceText = Required(row, "source_ip");
        if (!IPAddress.TryParse(sourceText, out var source))
        {
            throw new DmarcReportException($"source_ip '{Truncate(sourceText)}' is not an IP address");
        }

        var countText = Required(row, "count");
        if (!long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new DmarcReportException($"count '{Truncate(countText)}' is not a whole number");
        }

        var identifiers = Child(record, "identifiers");
        var auth = Child(record, "auth_results");
        return new DmarcReportRecord(
            source.ToString(),
            count,
            Choice(Text(evaluated, "disposition"), ["none", "quarantine", "reject"], "disposition"),
            Choice(Text(evaluated, "dkim"), ["pass", "fail"], "dkim"),
            Choice(Text(evaluated, "spf"), ["pass", "fail"], "spf"),
            identifiers is null ? null : Text(identifiers, "header_from"),
            identifiers is null ? null : Text(identifiers, "envelope_from"),
            auth is null ? [] : Children(auth, "dkim").Select(Result).Take(32).ToArray(),
            auth is null ? [] : Children(auth, "spf").Select(Result).Take(32).ToArray());
    }

    private static string Result(XElement result) => $"{Text(result, "domain") ?? "-"}={Text(result, "result") ?? "-"}";

    /// <summary>A value of a closed set: anything else is a malformed report (it would be a metric label).</summary>
    private static string Choice(string? value, string[] allowed, string name)
    {
        var lower = value?.ToLowerInvariant();
        if (lower is null || Array.IndexOf(allowed, lower) < 0)
        {
            throw new DmarcReportException($"{name} '{Truncate(value ?? "")}' is not one of {string.Join(", ", allowed)}");
        }

        return lower;
    }

    private static DateTimeOffset Epoch(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new DmarcReportException($"'{Truncate(text)}' is not a time in seconds since 1970");

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    private static string? Text(XElement parent, string name)
    {
        var value = Child(parent, name)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string Required(XElement parent, string name) =>
        Text(parent, name) ?? throw new DmarcReportException($"no {parent.Name.LocalName}/{name}");

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
