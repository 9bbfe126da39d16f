namespace MailRelay.Configuration;

/// <summary>One of our sender domains and the DKIM selector its key is published under.</summary>
/// <param name="Name">The domain, lower case, without a trailing dot.</param>
/// <param name="DkimSelector">The DKIM selector (a DNS label).</param>
public sealed record MailDomain(string Name, string DkimSelector);
