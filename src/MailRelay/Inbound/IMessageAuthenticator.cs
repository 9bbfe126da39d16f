using System.Net;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Inbound;

/// <summary>
/// SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) checks of one inbound message, through DNS_SERVERS, and the
/// <c>Authentication-Results</c> field (RFC 8601) that records them (docs/inbound.md).
/// </summary>
public interface IMessageAuthenticator
{
    Task<AuthenticationVerdict> VerifyAsync(AuthenticationRequest request, CancellationToken cancellationToken);
}

/// <param name="ClientAddress">The SMTP client's real address (after PROXY).</param>
/// <param name="HeloName">The EHLO/HELO argument.</param>
/// <param name="MailFrom">The envelope sender (empty for the null sender: SPF then checks the HELO identity).</param>
/// <param name="Message">The whole message as received (header and body), seekable, at position 0; the caller owns it.</param>
public sealed record AuthenticationRequest(IPAddress ClientAddress, string? HeloName, string MailFrom, Stream Message);

/// <param name="AuthenticationResults">The whole header field, <c>Authentication-Results: host; spf=...</c>, folded, without the final CRLF.</param>
/// <param name="Spf">The SPF result (RFC 7208 §2.6): none, neutral, pass, fail, softfail, temperror, permerror.</param>
/// <param name="Dkim">The best DKIM result: none, pass, fail, policy, neutral, temperror, permerror.</param>
/// <param name="Dmarc">The DMARC result: none, pass, fail, temperror, permerror.</param>
/// <param name="DmarcPolicy">The policy the From domain asks for when DMARC failed (none, quarantine, reject); null otherwise.</param>
/// <param name="Refusal">The reply to refuse the message with under the configured rules (SPF fail, DMARC reject); null to accept it.</param>
/// <param name="Quarantine">
/// DMARC failed under p=quarantine (or under a p=reject that is not enforced) and INBOUND_DMARC_QUARANTINE_ON_FAIL is on:
/// keep the message rather than forward it (docs/inbound.md, Verification).
/// </param>
public sealed record AuthenticationVerdict(
    string AuthenticationResults, string Spf, string Dkim, string Dmarc, string? DmarcPolicy, SmtpReply? Refusal, bool Quarantine = false);
