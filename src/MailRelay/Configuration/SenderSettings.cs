using MailRelay.Policy.Senders;

namespace MailRelay.Configuration;

/// <summary>
/// Who may appear as the sender: SENDER_ACCESS_ENABLED, SENDER_ALLOWED_FROM, SENDER_FORBIDDEN_FROM,
/// SENDER_CHECK_FROM_HEADER, and the AUTH binding SMTP_AUTH_CONSTRAIN_SENDER, SMTP_AUTH_SENDERS.
/// </summary>
public sealed record SenderSettings
{
    public required bool AccessEnabled { get; init; }

    /// <summary>Empty = any address at a domain of MAIL_DOMAINS.</summary>
    public required SenderList AllowedFrom { get; init; }

    /// <summary>Wins over <see cref="AllowedFrom"/>.</summary>
    public required SenderList ForbiddenFrom { get; init; }

    /// <summary>The From: header's domain must be the envelope sender's (or a subdomain); only with <see cref="AccessEnabled"/>.</summary>
    public required bool CheckFromHeader { get; init; }

    /// <summary>An authenticated user whose name is an address sends only as that address (or its subdomains).</summary>
    public required bool ConstrainAuthSender { get; init; }

    /// <summary>Further senders per authenticated user.</summary>
    public required IReadOnlyDictionary<string, SenderList> AuthSenders { get; init; }
}
