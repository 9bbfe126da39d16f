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
}
