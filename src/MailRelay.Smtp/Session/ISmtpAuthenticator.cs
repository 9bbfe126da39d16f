namespace MailRelay.Smtp.Session;

/// <summary>
/// Checks the credentials a client presents with AUTH (RFC 4954). The engine handles the SASL exchange
/// (PLAIN, LOGIN), the TLS requirement and the replies; this decides only whether the pair is valid.
/// </summary>
public interface ISmtpAuthenticator
{
    /// <summary>
    /// True when <paramref name="password"/> is the password of <paramref name="userName"/>. Neither may be
    /// logged with the password; a failure is an answer (false), not an exception.
    /// </summary>
    ValueTask<bool> AuthenticateAsync(SessionContext session, string userName, string password, CancellationToken cancellationToken);
}
