using System.Buffers.Text;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// The client side of an RFC 4954 exchange: 334 challenges and the base64 lines answering them, read
/// with the command-line bound and within the deadline of the whole exchange. Responses are never logged.
/// </summary>
public static class SaslExchange
{
    /// <summary>
    /// Sends a 334 challenge (already base64, or empty) and reads the client's answer, which must be in before
    /// <paramref name="deadline"/> (the session ends with 421 4.4.2 otherwise).
    /// </summary>
    public static async ValueTask<SaslResponse> ChallengeAsync(SmtpSession session, string base64Challenge, ReadDeadline deadline)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Channel.Write(SmtpReplies.AuthChallenge(base64Challenge));
        var line = await session.Channel.ReadCommandLineAsync(deadline);
        if (line.TooLong)
        {
            return SaslResponse.Refused(SmtpReplies.LineTooLong());
        }

        if (line.Line is null)
        {
            return SaslResponse.Refused(SmtpReplies.AuthResponseMalformed());
        }

        return line.Line == "*" ? SaslResponse.Refused(SmtpReplies.AuthCancelled()) : Decode(line.Line);
    }

    /// <summary>The initial response on the AUTH line; "=" stands for an empty one (RFC 4954 §4).</summary>
    public static SaslResponse DecodeInitial(string initialResponse)
    {
        ArgumentNullException.ThrowIfNull(initialResponse);
        if (initialResponse == "=")
        {
            return SaslResponse.Of([]);
        }

        return initialResponse == "*" ? SaslResponse.Refused(SmtpReplies.AuthCancelled()) : Decode(initialResponse);
    }

    /// <summary>Strict base64: the alphabet and padding only, no white space, whole quanta.</summary>
    private static SaslResponse Decode(string text)
    {
        if (!text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')
            || !Base64.IsValid(text, out var length))
        {
            return SaslResponse.Refused(SmtpReplies.AuthResponseMalformed());
        }

        var data = new byte[length];
        return Convert.TryFromBase64String(text, data, out var written) && written == length
            ? SaslResponse.Of(data)
            : SaslResponse.Refused(SmtpReplies.AuthResponseMalformed());
    }
}
