using System.Net;

namespace MailRelay.DnsPublishing;

/// <summary>The reverse name of one public address, and whether it is MAIL_HOSTNAME (what Gmail and Outlook require).</summary>
public sealed record PtrCheck(IPAddress Address, IReadOnlyList<string> Names, bool NamesHost);
