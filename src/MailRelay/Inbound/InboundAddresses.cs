using MailRelay.Configuration;

namespace MailRelay.Inbound;

/// <summary>
/// The feedback addresses: the local parts of INBOUND_RECIPIENTS at the domains of MAIL_DOMAINS (any case), and the
/// VERP return paths (<c>bounce+…</c>, when INBOUND_RECIPIENTS takes them) at MAIL_HOSTNAME too, which is where the
/// return path of a sender outside MAIL_DOMAINS points (docs/bounces.md). With inbound mail off there are none, and
/// every recipient is relayed under the relay rules.
/// </summary>
public sealed class InboundAddresses
{
    private readonly IReadOnlyList<InboundRecipientPattern> _patterns;
    private readonly HashSet<string> _domains;
    private readonly string? _hostName;

    public InboundAddresses(InboundSettings settings, IEnumerable<string> domains, string? hostName = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Enabled = settings.Enabled;
        _patterns = settings.Enabled ? settings.Recipients : [];
        _domains = new HashSet<string>(domains, StringComparer.OrdinalIgnoreCase);
        _hostName = string.IsNullOrEmpty(hostName) ? null : hostName.TrimEnd('.');
    }

    public bool Enabled { get; }

    /// <summary>Whether <paramref name="address"/> is one of the feedback addresses.</summary>
    public bool Contains(string address)
    {
        if (!Enabled || !AddressParts.TrySplit(address, out var localPart, out var domain))
        {
            return false;
        }

        if (!_domains.Contains(domain))
        {
            // At the host name only the return paths: its postmaster and the rest are relayed as before.
            var atHostName = _hostName is not null && string.Equals(domain, _hostName, StringComparison.OrdinalIgnoreCase);
            if (!atHostName || !localPart.StartsWith(Bounces.VerpToken.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.Matches(localPart))
            {
                return true;
            }
        }

        return false;
    }
}
