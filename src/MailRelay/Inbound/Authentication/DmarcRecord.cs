using System.Globalization;

namespace MailRelay.Inbound.Authentication;

/// <summary>A DMARC policy record (RFC 7489 §6.3): the tags that decide a message's fate. Reporting tags are not used here.</summary>
/// <param name="Policy">p: none, quarantine or reject.</param>
/// <param name="SubdomainPolicy">sp, or p when absent.</param>
/// <param name="StrictDkim">adkim=s.</param>
/// <param name="StrictSpf">aspf=s.</param>
/// <param name="Percent">pct, 0–100.</param>
public sealed record DmarcRecord(string Policy, string SubdomainPolicy, bool StrictDkim, bool StrictSpf, int Percent)
{
    public const string PolicyNone = "none";
    public const string PolicyQuarantine = "quarantine";
    public const string PolicyReject = "reject";

    /// <summary>Whether a TXT record is a DMARC record at all: it starts with <c>v=DMARC1</c> (§6.6.3 step 5 discards the rest).</summary>
    public static bool IsDmarc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.Split(';', 2)[0].Split('=', 2);
        return first.Length == 2 && first[0].Trim() == "v" && first[1].Trim() == "DMARC1";
    }

    /// <summary>
    /// Reads a record that <see cref="IsDmarc"/> accepted. A missing or unknown p (or an unknown sp) makes the record unusable
    /// (null), unless it names a report address: then it counts as p=none (§6.6.3 step 6). Unknown alignment modes and a bad
    /// pct fall back to their defaults (relaxed, 100).
    /// </summary>
    public static DmarcRecord? Parse(string text)
    {
        var tags = TagList.Parse(text, out _);
        var policy = ParsePolicy(tags.GetValueOrDefault("p"));
        var subdomainPolicy = tags.TryGetValue("sp", out var sp) ? ParsePolicy(sp) : policy;
        if (policy is null || subdomainPolicy is null)
        {
            if (!tags.TryGetValue("rua", out var rua) || !rua.Contains(':', StringComparison.Ordinal))
            {
                return null;
            }

            policy = PolicyNone;
            subdomainPolicy = PolicyNone;
        }

        var percent = tags.TryGetValue("pct", out var pct) && int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 100
            ? value
            : 100;
        return new DmarcRecord(
            policy,
            subdomainPolicy,
            string.Equals(tags.GetValueOrDefault("adkim"), "s", StringComparison.OrdinalIgnoreCase),
            string.Equals(tags.GetValueOrDefault("aspf"), "s", StringComparison.OrdinalIgnoreCase),
            percent);
    }

    private static string? ParsePolicy(string? text) => text?.ToLowerInvariant() switch
    {
        PolicyNone => PolicyNone,
        PolicyQuarantine => PolicyQuarantine,
        PolicyReject => PolicyReject,
        _ => null,
    };
}
