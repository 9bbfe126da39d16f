using System.Globalization;

namespace MailRelay.Smtp.Protocol;

/// <summary>
/// One SMTP reply: a three-digit code, an RFC 3463 enhanced status code, and one or more text lines.
/// Every reply this server sends carries an enhanced code (ENHANCEDSTATUSCODES), except the greeting
/// and the EHLO reply, which RFC 2034 exempts.
/// </summary>
public sealed class SmtpReply
{
    public SmtpReply(int code, string? enhancedCode, params string[] lines)
    {
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "SMTP reply codes are 2xx to 5xx.");
        }

        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines.Length == 0 ? [string.Empty] : lines;
    }

    public int Code { get; }

    public string? EnhancedCode { get; }

    public IReadOnlyList<string> Lines { get; }

    /// <summary>Whether the reply is positive (2xx or 3xx).</summary>
    public bool IsPositive => Code < 400;

    /// <summary>Whether the server closes the connection after sending this reply (421 and 221).</summary>
    public bool ClosesConnection { get; init; }

    public static SmtpReply Ok(string text = "Ok") => new(250, "2.0.0", text);

    /// <summary>The wire form, every line ending in CRLF.</summary>
    public string ToWireString()
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            builder.Append(Code.ToString(CultureInfo.InvariantCulture));
            builder.Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedCode is not null)
            {
                builder.Append(EnhancedCode).Append(' ');
            }

            builder.Append(Lines[i]).Append("\r\n");
        }

        return builder.ToString();
    }

    public override string ToString() => ToWireString().TrimEnd();
}
