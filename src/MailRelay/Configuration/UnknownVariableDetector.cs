namespace MailRelay.Configuration;

/// <summary>
/// Finds environment variables that look like misspellings of ours (<c>SMTP_LISTENER</c>, <c>DKIM_KEYSIZE</c>).
/// The environment also carries unrelated variables, so only a name with one of our prefixes and within a few
/// edits of a known name is reported, and only as a warning.
/// </summary>
internal static class UnknownVariableDetector
{
    private const int MaxEdits = 3;

    public static IEnumerable<ConfigurationWarning> Find(IEnumerable<string> names)
    {
        var known = ConfigurationRegistry.Variables.Select(v => v.Name).ToArray();
        var prefixes = known.Select(n => n[..(n.IndexOf('_', StringComparison.Ordinal) + 1)]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            if (known.Contains(name, StringComparer.Ordinal) || ForeignVariableDetector.IsForeign(name) || !prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            var nearest = known.MinBy(k => EditDistance(k, name))!;
            if (EditDistance(nearest, name) <= MaxEdits)
            {
                yield return new ConfigurationWarning(name, $"unknown variable, ignored; did you mean {nearest}?");
            }
        }
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
