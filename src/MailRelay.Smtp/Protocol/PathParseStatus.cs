namespace MailRelay.Smtp.Protocol;

/// <summary>Why a reverse or forward path did not parse.</summary>
public enum PathParseStatus
{
    Ok,
    Syntax,
    NonAsciiWithoutSmtpUtf8,
}
