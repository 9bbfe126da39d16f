namespace MailRelay.Configuration;

/// <summary>Inbound SMTP AUTH: SMTP_AUTH_ENABLED, SMTP_AUTH_USERS_FILE, SMTP_AUTH_REQUIRE_TLS.</summary>
/// <param name="Enabled">Whether AUTH is offered.</param>
/// <param name="UsersFile">The users file; set whenever <paramref name="Enabled"/> is true.</param>
/// <param name="RequireTls">AUTH only inside TLS.</param>
public sealed record SmtpAuthSettings(bool Enabled, string? UsersFile, bool RequireTls);
