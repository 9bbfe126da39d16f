using System.Globalization;

namespace MailRelay.Delivery;

/// <summary>
/// A reply as the remote server gave it (or as we describe a local failure in the same form, e.g.
/// <c>451 4.4.1 connection refused</c>), kept for logs, queue state and DSNs.
/// </summary>
public sealed record RemoteReply(int Code, string? EnhancedCode, string Text)
{
    public bool IsPermanent => Code >= 500;

    public override string ToString() =>
        Code.ToString(CultureInfo.InvariantCulture) + (EnhancedCode is null ? string.Empty : " " + EnhancedCode) + " " + Text;
}
