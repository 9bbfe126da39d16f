namespace MailRelay.Configuration.Syntax;

/// <summary>Host and domain names by the preferred name syntax (RFC 1035 §2.3.1, with RFC 1123's leading digits).</summary>
public static class DomainNameSyntax
{
    /// <summary>A letter-digit-hyphen label of 1 to 63 characters, not starting or ending with a hyphen.</summary>
    public static bool IsValidLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a name and returns it in lower case. <paramref name="requireDot"/> demands at least two labels,
    /// as a sender domain needs.
    /// </summary>
    public static bool TryParse(string text, bool requireDot, out string name, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        name = text.Trim().ToLowerInvariant();
        error = string.Empty;
        if (name.Length is 0 or > 253)
        {
            error = $"'{text}' is not a valid domain name (1 to 253 characters).";
            return false;
        }

        var labels = name.Split('.');
        if (!labels.All(IsValidLabel) || labels.All(l => l.All(char.IsAsciiDigit)))
        {
            error = $"'{text}' is not a valid domain name (letters, digits and hyphens in dot-separated labels).";
            return false;
        }

        if (requireDot && labels.Length < 2)
        {
            error = $"'{text}' is not a fully qualified domain name.";
            return false;
        }

        return true;
    }
}
