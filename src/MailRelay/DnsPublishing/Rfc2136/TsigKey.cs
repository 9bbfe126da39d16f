using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// The TSIG key (RFC 8945) that signs UPDATE messages. The secret stays in this object: nothing here formats it,
/// and <see cref="ToString"/> names the key and its algorithm only, so the key can be logged safely.
/// </summary>
internal sealed class TsigKey
{
    /// <summary>RFC 8945 §10 recommends 300 s of clock skew between signer and server.</summary>
    private static readonly TimeSpan Fudge = TimeSpan.FromSeconds(300);

    private readonly byte[] _secret;

    private TsigKey(DomainName name, string algorithmName, TSigAlgorithm algorithm, byte[] secret)
    {
        Name = name;
        AlgorithmName = algorithmName;
        Algorithm = algorithm;
        _secret = secret;
    }

    public DomainName Name { get; }

    /// <summary>The algorithm as configured, e.g. <c>hmac-sha256</c>.</summary>
    public string AlgorithmName { get; }

    public TSigAlgorithm Algorithm { get; }

    /// <summary>The key of <paramref name="settings"/>; null when updates go unsigned.</summary>
    /// <exception cref="ArgumentException">The secret is empty, or the algorithm cannot be used (see <see cref="AlgorithmOf"/>).</exception>
    public static TsigKey? FromSettings(Rfc2136Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.TsigKeyName is null)
        {
            return null;
        }

        // The DNS library would send an empty MAC for an empty secret, which every server rejects with BADSIG.
        if (settings.TsigSecret.Length == 0)
        {
            throw new ArgumentException($"DNS_RFC2136_TSIG_SECRET is empty while DNS_RFC2136_TSIG_NAME={settings.TsigKeyName} is set; give the key's base64 secret.");
        }

        var algorithmName = settings.TsigAlgorithm.Trim().ToLowerInvariant();
        return new TsigKey(DomainName.Parse(settings.TsigKeyName), algorithmName, AlgorithmOf(algorithmName), settings.TsigSecret.ToArray());
    }

    /// <summary>Signs <paramref name="message"/>: its transaction id must be set first, since the signature covers it.</summary>
    public void Sign(DnsMessageBase message, DateTimeOffset now) =>
        message.TSigOptions = new TSigRecord(Name, Algorithm, now.UtcDateTime, Fudge, message.TransactionID, ReturnCode.NoError, null, _secret);

    public override string ToString() => $"{Name.ToString(false)} ({AlgorithmName})";

    /// <remarks>
    /// hmac-sha384 is refused: ARSoft.Tools.Net 3.6.1 computes it with a SHA-256 digest (TSigAlgorithmHelper), so every
    /// signature would be rejected with BADSIG. Failing at start-up with the reason beats failing every update.
    /// </remarks>
    private static TSigAlgorithm AlgorithmOf(string name) => name switch
    {
        "hmac-sha256" => TSigAlgorithm.Sha256,
        "hmac-sha512" => TSigAlgorithm.Sha512,
        "hmac-sha224" => TSigAlgorithm.Sha224,
        "hmac-sha1" => TSigAlgorithm.Sha1,
        "hmac-md5" or "hmac-md5.sig-alg.reg.int" => TSigAlgorithm.Md5,
        "hmac-sha384" => throw new ArgumentException(
            "DNS_RFC2136_TSIG_ALGORITHM=hmac-sha384 cannot be used: the DNS library signs it wrongly; make the key with hmac-sha256 or hmac-sha512 instead."),
        _ => throw new ArgumentException($"DNS_RFC2136_TSIG_ALGORITHM={name} is not a TSIG algorithm; use hmac-sha256."),
    };
}
