using System.Text;

namespace MailRelay.Bounces;

/// <summary>
/// Verifies VERP return paths (<see cref="VerpToken"/>): the MAC under BOUNCE_HMAC_SECRET, the age against
/// BOUNCE_MAX_AGE, then the recipient from <see cref="VerpRecipientMap"/>. Without a secret nothing can be ours, so
/// every well-formed token is forged.
/// </summary>
internal sealed class BounceAddressVerifier : IBounceAddressVerifier
{
    /// <summary>How far in the future an issue time may lie (clocks of replicas differ a little) before it is refused.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly byte[]? _key;
    private readonly TimeSpan _maxAge;
    private readonly VerpRecipientMap _map;

    public BounceAddressVerifier(string? secret, TimeSpan maxAge, VerpRecipientMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _key = secret is null ? null : Encoding.UTF8.GetBytes(secret);
        _maxAge = maxAge;
        _map = map;
    }

    public bool IsBounceAddress(string address) => LocalPart(address).StartsWith(VerpToken.Prefix, StringComparison.OrdinalIgnoreCase);

    public BounceAddressCheck Verify(string address, DateTimeOffset now)
    {
        var local = LocalPart(address);
        if (!local.StartsWith(VerpToken.Prefix, StringComparison.OrdinalIgnoreCase)
            || !VerpToken.TryDecode(_key ?? [], local[VerpToken.Prefix.Length..], out var queueId, out var index, out var issued, out var authentic))
        {
            return new BounceAddressCheck(BounceAddressStatus.Malformed, null, null, null);
        }

        if (_key is null || !authentic)
        {
            return new BounceAddressCheck(BounceAddressStatus.Forged, null, null, null);
        }

        if (now - issued > _maxAge || issued - now > ClockSkew)
        {
            return new BounceAddressCheck(BounceAddressStatus.Expired, queueId, null, issued);
        }

        // Ours and in date, but its recipient is gone only when DATA_DIR was lost: nothing can be told of it.
        var recipient = _map.Find(queueId, index, issued);
        return recipient is null
            ? new BounceAddressCheck(BounceAddressStatus.Malformed, queueId, null, issued)
            : new BounceAddressCheck(BounceAddressStatus.Valid, queueId, recipient, issued);
    }

    private static ReadOnlySpan<char> LocalPart(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var trimmed = address.AsSpan().Trim().Trim("<>");
        var at = trimmed.LastIndexOf('@');
        return at < 0 ? trimmed : trimmed[..at];
    }
}
