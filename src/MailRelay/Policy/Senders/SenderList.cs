using System.Text.Json;

namespace MailRelay.Policy.Senders;

/// <summary>
/// A list of <see cref="SenderPattern"/> entries, written comma-separated or, when an entry itself needs a comma
/// (a regular expression with <c>{1,3}</c>), as a JSON array of strings.
/// </summary>
public sealed class SenderList
{
    private readonly SenderPattern[] _patterns;

    public SenderList(IEnumerable<SenderPattern> patterns)
    {
        _patterns = patterns.ToArray();
    }

    public static SenderList Empty { get; } = new([]);

    public bool IsEmpty => _patterns.Length == 0;

    public IReadOnlyList<SenderPattern> Patterns => _patterns;

    /// <summary>Parses the configuration syntax; every bad entry is named in the error.</summary>
    public static bool TryParse(string text, out SenderList list, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        list = Empty;
        error = string.Empty;
        var trimmed = text.Trim();
        IEnumerable<string> entries;
        if (trimmed.StartsWith('['))
        {
            try
            {
                entries = JsonSerializer.Deserialize<string[]>(trimmed) ?? [];
            }
            catch (JsonException)
            {
                error = $"'{text}' is not a JSON array of strings.";
                return false;
            }
        }
        else
        {
            entries = trimmed.Split(',');
        }

        return TryParse(entries, out list, out error);
    }

    /// <summary>Parses entries already split (a JSON array's items); blank entries are skipped.</summary>
    public static bool TryParse(IEnumerable<string> entries, out SenderList list, out string error)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var patterns = new List<SenderPattern>();
        var errors = new List<string>();
        foreach (var entry in entries.Where(e => !string.IsNullOrWhiteSpace(e)))
        {
            if (SenderPattern.TryParse(entry, out var pattern, out var entryError))
            {
                patterns.Add(pattern);
            }
            else
            {
                errors.Add(entryError);
            }
        }

        list = errors.Count == 0 ? new SenderList(patterns) : Empty;
        error = string.Join(" ", errors);
        return errors.Count == 0;
    }

    /// <summary>The first decisive outcome: a match, or a timed-out expression; else no match.</summary>
    public SenderMatch Match(string sender)
    {
        foreach (var pattern in _patterns)
        {
            var match = pattern.Match(sender);
            if (match != SenderMatch.NoMatch)
            {
                return match;
            }
        }

        return SenderMatch.NoMatch;
    }

    public override string ToString() => string.Join(",", _patterns.Select(p => p.Text));
}
