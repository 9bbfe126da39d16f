using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Webhooks;

/// <summary>
/// The X-MailRelay-Signature value: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c> over the ASCII timestamp, a
/// dot and the exact body bytes, keyed with WEBHOOK_SECRET (its UTF-8 bytes). The timestamp is inside the MAC, so a
/// receiver that refuses old timestamps refuses replays; a fresh one is made for every attempt.
/// </summary>
public sealed class WebhookSignature
{
    private readonly byte[] _key;

    public WebhookSignature(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
    }

    public string Sign(long unixSeconds, ReadOnlySpan<byte> body)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var prefixLength = Encoding.ASCII.GetByteCount(timestamp) + 1;
        var signed = new byte[prefixLength + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[prefixLength - 1] = (byte)'.';
        body.CopyTo(signed.AsSpan(prefixLength));
        var mac = HMACSHA256.HashData(_key, signed);
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
