using System.Globalization;
using System.Reflection;

namespace MailRelay.RateLimiting;

/// <summary>
/// The Public Suffix List rules (plain, <c>*.</c> wildcard and <c>!</c> exception) and the registrable-domain
/// algorithm from publicsuffix.org. Provider grouping loads the ICANN section only: the private section lists
/// hosting platforms whose customers get sub-domains, and those customers' mail is still carried by the
/// platform's own servers, so the platform's domain is the right provider key.
/// </summary>
public sealed class PublicSuffixList
{
    private const string ResourceName = "MailRelay.RateLimiting.public_suffix_list.dat";
    private const string PrivateSectionMarker = "===BEGIN PRIVATE DOMAINS===";

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
    }

    /// <summary>Number of rules read (all three kinds).</summary>
    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    /// <summary>Reads rules in the publicsuffix.org file format.</summary>
    public static PublicSuffixList Parse(TextReader reader, bool icannOnly)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var list = new PublicSuffixList();
        while (reader.ReadLine() is { } line)
        {
            if (icannOnly && line.Contains(PrivateSectionMarker, StringComparison.Ordinal))
            {
                break;
            }

            var rule = FirstToken(line);
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            list.Add(rule);
        }

        return list;
    }

    /// <summary>The list shipped inside the assembly.</summary>
    public static PublicSuffixList LoadEmbedded(bool icannOnly)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader, icannOnly);
    }

    /// <summary>
    /// The public suffix of <paramref name="host"/> plus one label, lower case without a trailing dot; the host
    /// itself when it is a public suffix or a single label.
    /// </summary>
    public string GetRegistrableDomain(string host)
    {
        var name = Normalise(host);
        var labels = name.Split('.');
        var suffixLabels = PublicSuffixLabelCount(labels);
        return suffixLabels >= labels.Length ? name : string.Join('.', labels[^(suffixLabels + 1)..]);
    }

    /// <summary>Lower case, ASCII (punycode) form, no trailing dot.</summary>
    public static string Normalise(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        return ToAscii(name);
    }

    private int PublicSuffixLabelCount(string[] labels)
    {
        // Unlisted top-level domains fall under the implicit "*" rule: one label.
        var longest = 1;
        for (var start = 0; start < labels.Length; start++)
        {
            var candidate = string.Join('.', labels[start..]);
            var count = labels.Length - start;
            if (_exceptions.Contains(candidate))
            {
                return count - 1;
            }

            if (_rules.Contains(candidate))
            {
                longest = Math.Max(longest, count);
            }

            if (start > 0 && _wildcards.Contains(candidate))
            {
                longest = Math.Max(longest, count + 1);
            }
        }

        return longest;
    }

    private void Add(string rule)
    {
        if (rule.StartsWith('!'))
        {
            _exceptions.Add(ToAscii(rule[1..].ToLowerInvariant()));
        }
        else if (rule.StartsWith("*.", StringComparison.Ordinal))
        {
            _wildcards.Add(ToAscii(rule[2..].ToLowerInvariant()));
        }
        else
        {
            _rules.Add(ToAscii(rule.ToLowerInvariant()));
        }
    }

    private static string ToAscii(string name)
    {
        if (name.All(char.IsAscii))
        {
            return name;
        }

        try
        {
            return new IdnMapping().GetAscii(name);
        }
        catch (ArgumentException)
        {
            // A name IDNA cannot encode can never arrive from DNS, so its Unicode form is harmless to keep.
            return name;
        }
    }

    private static string FirstToken(string line)
    {
        var trimmed = line.AsSpan().Trim();
        var end = trimmed.IndexOfAny(' ', '\t');
        return (end < 0 ? trimmed : trimmed[..end]).ToString();
    }
}
