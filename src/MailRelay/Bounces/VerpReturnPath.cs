using System.Text;
using MailRelay.Configuration;
using MailRelay.Delivery.Transport;
using MailRelay.Queue;

namespace MailRelay.Bounces;

/// <summary>
/// The MAIL FROM of relayed mail under BOUNCE_VERP_ENABLED: <c>bounce+TOKEN@domain</c>, one per recipient, the
/// domain being the envelope sender's when it is one of MAIL_DOMAINS (and BOUNCE_USE_SENDER_DOMAIN), else
/// MAIL_HOSTNAME. The null sender stays the null sender: a bounce must never cause one.
/// </summary>
internal sealed class VerpReturnPath : IReturnPathSource
{
    private readonly byte[] _key;
    private readonly string _hostName;
    private readonly HashSet<string> _domains;
    private readonly bool _useSenderDomain;
    private readonly VerpRecipientMap _map;
    private readonly TimeProvider _time;

    public VerpReturnPath(string secret, string hostName, IEnumerable<string> domains, bool useSenderDomain, VerpRecipientMap map, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(time);
        _key = Encoding.UTF8.GetBytes(secret);
        _hostName = hostName;
        _domains = new HashSet<string>(domains, StringComparer.OrdinalIgnoreCase);
        _useSenderDomain = useSenderDomain;
        _map = map;
        _time = time;
    }

    public static VerpReturnPath? FromConfiguration(RelayConfiguration configuration, VerpRecipientMap map, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var bounce = configuration.Bounce;
        return bounce is { VerpEnabled: true, HmacSecret: { } secret }
            ? new VerpReturnPath(secret, configuration.HostName, configuration.Domains.Select(d => d.Name), bounce.UseSenderDomain, map, time)
            : null;
    }

    /// <summary>The domain return paths of <paramref name="sender"/>'s mail get.</summary>
    public string DomainFor(string sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var domain = Policy.Senders.SenderAddress.DomainOf(sender);
        return _useSenderDomain && _domains.Contains(domain) ? domain.ToLowerInvariant() : _hostName;
    }

    /// <summary>
    /// The return path for <paramref name="recipient"/> of <paramref name="message"/>, its recipient recorded durably
    /// first (an I/O exception when that failed); null when the message keeps its own sender (the null sender, or a
    /// recipient not in its envelope).
    /// </summary>
    public string? ReturnPathFor(QueueEntry message, string recipient)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(recipient);
        var sender = message.Envelope.Sender;
        var recipients = message.Envelope.Recipients;
        var index = IndexOf(recipients, recipient);
        if (sender.Length == 0 || index < 0 || index > VerpToken.MaxIndex)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        _map.Record(message.QueueId, recipients, now);
        return VerpToken.Prefix + VerpToken.Encode(_key, message.QueueId, index, now) + "@" + DomainFor(sender);
    }

    private static int IndexOf(IReadOnlyList<string> recipients, string recipient)
    {
        for (var i = 0; i < recipients.Count; i++)
        {
            if (string.Equals(recipients[i], recipient, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
