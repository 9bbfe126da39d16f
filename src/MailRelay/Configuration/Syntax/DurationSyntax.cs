using System.Globalization;

namespace MailRelay.Configuration.Syntax;

/// <summary>
/// Durations: a whole number and one unit, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (lower case, so that
/// <c>m</c> is never mistaken for months); a bare number is seconds.
/// </summary>
public static class DurationSyntax
{
    // Ten years: anything longer is a typo, and it keeps every product well inside TimeSpan's range.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        error = string.Empty;
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        var unit = trimmed[digits..];
        TimeSpan perUnit;
        switch (unit)
        {
            case "ms": perUnit = TimeSpan.FromMilliseconds(1); break;
            case "" or "s": perUnit = TimeSpan.FromSeconds(1); break;
            case "m": perUnit = TimeSpan.FromMinutes(1); break;
            case "h": perUnit = TimeSpan.FromHours(1); break;
            case "d": perUnit = TimeSpan.FromDays(1); break;
            default:
                error = $"'{text}' is not a duration; write a whole number with ms, s, m, h or d (e.g. 30s, 5m).";
                return false;
        }

        if (digits == 0 || digits > 12 || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"'{text}' is not a duration; write a whole number with ms, s, m, h or d (e.g. 30s, 5m).";
            return false;
        }

        if (count > Longest.Ticks / perUnit.Ticks)
        {
            error = $"'{text}' is longer than {Longest.TotalDays:0} days.";
            return false;
        }

        value = TimeSpan.FromTicks(count * perUnit.Ticks);
        return true;
    }

    /// <summary>A duration that must be more than zero.</summary>
    public static bool TryParsePositive(string text, out TimeSpan value, out string error)
    {
        if (!TryParse(text, out value, out error))
        {
            return false;
        }

        if (value <= TimeSpan.Zero)
        {
            error = $"'{text}' must be more than zero.";
            return false;
        }

        return true;
    }
}
