using System.Globalization;

namespace MailRelay.Smtp.Tests.Session;

public static class ReplyLineExtensions
{
    public static int Code(this string replyLine) => int.Parse(replyLine.AsSpan(0, 3), CultureInfo.InvariantCulture);
}
