using System.Net;
using MailRelay.Smtp.Net;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>
/// Who may relay (invariant 2): a client whose real address is in the trusted networks, or one that
/// authenticated. Nothing else is accepted — this relay has no local mailboxes, so mail to our own
/// domains is relayed like any other and needs the same permission.
/// </summary>
public sealed class RelayPolicy
{
    private readonly NetworkList _trustedNetworks;

    public RelayPolicy(NetworkList trustedNetworks)
    {
        _trustedNetworks = trustedNetworks;
    }

    public bool MayRelay(IPAddress? clientAddress, string? authenticatedUser) =>
        authenticatedUser is not null || _trustedNetworks.Contains(clientAddress);

    /// <summary>The RCPT decision: null accepts, else Postfix's familiar refusal.</summary>
    public SmtpReply? CheckRecipient(SessionContext session, string recipient) =>
        MayRelay(session.RemoteAddress, session.AuthenticatedUser)
            ? null
            : new SmtpReply(554, "5.7.1", $"<{recipient}>: Relay access denied");
}
