namespace MailRelay.Smtp.Commands;

/// <summary>The xtext encoding of RFC 3461 §4 (ENVID, ORCPT): printable ASCII with "+XX" hex escapes.</summary>
public static class Xtext
{
    public static bool IsValid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigitUpper(text[i + 1]) || !char.IsAsciiHexDigitUpper(text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (c is < '!' or > '~' or '=')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes valid xtext ("+2B" → "+"); call <see cref="IsValid"/> first.</summary>
    public static string Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('+', StringComparison.Ordinal))
        {
            return text;
        }

        var decoded = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '+' && i + 2 < text.Length)
            {
                decoded.Append((char)Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                decoded.Append(text[i]);
            }
        }

        return decoded.ToString();
    }
}
