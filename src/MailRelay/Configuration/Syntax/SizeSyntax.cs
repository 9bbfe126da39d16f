using System.Globalization;

namespace MailRelay.Configuration.Syntax;

/// <summary>
/// Sizes in bytes: a whole number, optionally with a binary unit <c>K</c>/<c>KiB</c>, <c>M</c>/<c>MiB</c>,
/// <c>G</c>/<c>GiB</c> (any case; all powers of 1024). <c>KB</c>, <c>MB</c>, <c>GB</c> are refused because
/// people mean 1000 or 1024 by them.
/// </summary>
public static class SizeSyntax
{
    public static bool TryParse(string text, out long value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = 0;
        error = string.Empty;
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        int shift;
        switch (trimmed[digits..].ToUpperInvariant())
        {
            case "": shift = 0; break;
            case "K" or "KIB": shift = 10; break;
            case "M" or "MIB": shift = 20; break;
            case "G" or "GIB": shift = 30; break;
            case "KB" or "MB" or "GB":
                error = $"'{text}' is ambiguous (1000 or 1024?); write K/KiB, M/MiB or G/GiB (powers of 1024) or a plain number of bytes.";
                return false;
            default:
                error = $"'{text}' is not a size; write a number of bytes, or a number with K, M or G (e.g. 25M).";
                return false;
        }

        if (digits == 0 || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > (long.MaxValue >> shift))
        {
            error = $"'{text}' is not a size; write a number of bytes, or a number with K, M or G (e.g. 25M).";
            return false;
        }

        value = count << shift;
        return true;
    }
}
