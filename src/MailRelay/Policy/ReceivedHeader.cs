using System.Globalization;
using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// Builds the trace header that RFC 5321 §4.4 requires a relay to prepend, with the RFC 3848 / RFC 6531
/// protocol keyword (SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP…). Client-supplied text (the HELO
/// name) is reduced to printable ASCII without comment delimiters, so it can never break out of the
/// header or inject a new one.
/// </summary>
public static class ReceivedHeader
{
    private const int MaxHeloLength = 255;

    /// <param name="hideClient">
    /// OUTBOUND_HIDE_CLIENT: leave out the "from" clause (the client's HELO name and internal address), as large
    /// providers do for their submission clients; "by" and "with" still say where the message entered.
    /// </param>
    public static string Build(SessionContext session, MailTransaction transaction, string hostName, string queueId, DateTimeOffset now, bool hideClient = false)
    {
        var builder = new StringBuilder(256);
        builder.Append("Received: ");
        if (!hideClient)
        {
            builder.Append("from ").Append(Sanitize(session.HeloName ?? "unknown"));
            var address = session.RemoteAddress;
            if (address is not null)
            {
                var literal = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    ? "IPv6:" + address
                    : address.ToString();
                builder.Append(" (unknown [").Append(literal).Append("])");
            }

            builder.Append("\r\n\t");
        }

        builder.Append("by ").Append(hostName).Append(" (MailRelay) with ").Append(Protocol(session, transaction));
        builder.Append(" id ").Append(queueId);
        if (transaction.Recipients.Count == 1)
        {
            builder.Append("\r\n\tfor <").Append(transaction.Recipients[0]).Append('>');
        }

        builder.Append("; ").Append(FormatDate(now)).Append("\r\n");
        return builder.ToString();
    }

    /// <summary>The "with" keyword of RFC 3848, and its SMTPUTF8 counterpart from RFC 6531.</summary>
    public static string Protocol(SessionContext session, MailTransaction transaction)
    {
        if (!session.IsExtended)
        {
            return "SMTP";
        }

        var suffix = (session.IsSecure ? "S" : string.Empty) + (session.AuthenticatedUser is null ? string.Empty : "A");
        return (transaction.SmtpUtf8 ? "UTF8SMTP" : "ESMTP") + suffix;
    }

    /// <summary>RFC 5322 date-time: <c>Wed, 25 Nov 2026 11:06:09 +0000</c>.</summary>
    public static string FormatDate(DateTimeOffset when)
    {
        var offset = when.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return when.ToString("ddd, d MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture)
            + sign + abs.Hours.ToString("00", CultureInfo.InvariantCulture) + abs.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxHeloLength));
        foreach (var c in text)
        {
            if (builder.Length == MaxHeloLength)
            {
                break;
            }

            builder.Append(c is > ' ' and < (char)127 and not '(' and not ')' and not '\\' and not ';' ? c : '?');
        }

        return builder.Length == 0 ? "unknown" : builder.ToString();
    }
}
