using System.Globalization;
using System.Text.RegularExpressions;
using MailKit.Net.Smtp;

namespace MailRelay.Delivery.Transport;

/// <summary>Turns what a server said into a <see cref="RemoteReply"/>: code, enhanced code, one line of text.</summary>
public static partial class ReplyText
{
    public static RemoteReply From(SmtpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return From((int)response.StatusCode, response.Response);
    }

    public static RemoteReply From(SmtpCommandException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return From((int)exception.StatusCode, exception.Message);
    }

    /// <summary>
    /// Splits an enhanced status code (RFC 3463) off the start of the text and joins the lines of a
    /// multi-line reply with spaces.
    /// </summary>
    public static RemoteReply From(int code, string? text)
    {
        var lines = (text ?? string.Empty)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string? enhanced = null;
        var parts = new List<string>(lines.Length);
        foreach (var line in lines)
        {
            var match = EnhancedCode().Match(line);
            if (match.Success && match.Groups[1].Value[0] == (char)('0' + (code / 100)))
            {
                enhanced ??= match.Groups[1].Value;
                parts.Add(line[match.Length..]);
            }
            else
            {
                parts.Add(line);
            }
        }

        return new RemoteReply(code, enhanced, string.Join(' ', parts));
    }

    /// <summary>A reply we make up for a local failure, in the same form as a server's.</summary>
    public static RemoteReply Local(int code, string enhanced, string text) => new(code, enhanced, text);

    /// <summary><c>host[address]:port</c>, the form Postfix logs a relay in.</summary>
    public static string Describe(NextHop hop, System.Net.IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(endPoint);
        return string.Create(CultureInfo.InvariantCulture, $"{hop.Host}[{endPoint.Address}]:{endPoint.Port}");
    }

    [GeneratedRegex(@"^([245]\.\d{1,3}\.\d{1,3})(\s+|$)", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedCode();
}
