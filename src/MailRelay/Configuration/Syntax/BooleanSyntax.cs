namespace MailRelay.Configuration.Syntax;

/// <summary>Booleans: <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>yes</c>/<c>no</c>, any case.</summary>
public static class BooleanSyntax
{
    public static bool TryParse(string text, out bool value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = string.Empty;
        switch (text.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES":
                value = true;
                return true;
            case "FALSE" or "0" or "NO":
                value = false;
                return true;
            default:
                value = false;
                error = $"'{text}' is not a boolean; use true/false, 1/0 or yes/no.";
                return false;
        }
    }
}
