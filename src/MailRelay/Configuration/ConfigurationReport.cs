using System.Text;

namespace MailRelay.Configuration;

/// <summary>
/// The resolved configuration as text, one <c>NAME=value</c> line per variable in registry order, then the
/// warnings. Secrets print as <see cref="Redacted"/>, which says neither the value nor its length.
/// </summary>
public static class ConfigurationReport
{
    /// <summary>What a secret that is set prints as.</summary>
    public const string Redacted = "********";

    /// <summary>Appended to a line whose value is the default.</summary>
    public const string DefaultMarker = "  # default";

    public static string Write(ConfigurationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        foreach (var value in result.Values)
        {
            // One line per variable even when a value (a pasted JSON table) spans lines.
            var display = value.DisplayText.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            text.Append(value.Variable.Name).Append('=').Append(display);
            if (value.FromDefault)
            {
                text.Append(DefaultMarker);
            }

            text.Append('\n');
        }

        foreach (var warning in result.Warnings)
        {
            text.Append("warning: ").Append(warning).Append('\n');
        }

        return text.ToString();
    }
}
