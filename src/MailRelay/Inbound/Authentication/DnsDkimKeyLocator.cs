using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// Finds DKIM public keys in <c>selector._domainkey.domain</c> TXT records (RFC 6376 §3.6.2) through DNS_SERVERS. One
/// instance serves one message: it remembers the size of each RSA key it found, so that a signature the verifier turned
/// down for a short key can be told apart from a broken one. No key (NXDOMAIN, no record, an empty <c>p=</c>, which
/// revokes the key) is permerror; no answer is temperror.
/// </summary>
internal sealed class DnsDkimKeyLocator : DkimPublicKeyLocatorBase
{
    private readonly AuthenticationDns _dns;
    private readonly Dictionary<string, int> _rsaKeyBits = new(StringComparer.OrdinalIgnoreCase);

    public DnsDkimKeyLocator(AuthenticationDns dns)
    {
        _dns = dns;
    }

    /// <summary>The modulus size of the RSA key found for <paramref name="domain"/> and <paramref name="selector"/>, if one was.</summary>
    public int? RsaKeyBits(string domain, string selector) =>
        _rsaKeyBits.TryGetValue(selector + "._domainkey." + domain, out var bits) ? bits : null;

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("DKIM keys are looked up asynchronously only.");

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(selector);
        var name = selector + "._domainkey." + domain;
        var lookup = await _dns.QueryTxtAsync(name, cancellationToken);
        if (lookup.Status == TxtLookupStatus.TemporaryFailure)
        {
            throw new DkimKeyUnavailableException(AuthResult.TempError, "key lookup failed");
        }

        // Several records at one selector are ambiguous (§3.6.2.2); the first that holds a key is taken, as verifiers do.
        var record = lookup.Records.FirstOrDefault(r => TagList.Value(r, "p") is not null);
        if (record is null)
        {
            throw new DkimKeyUnavailableException(AuthResult.PermError, "no key for signature");
        }

        if (TagList.Value(record, "v") is { } version && version != "DKIM1")
        {
            throw new DkimKeyUnavailableException(AuthResult.PermError, "key record version unknown");
        }

        if (TagList.Value(record, "p")!.Length == 0)
        {
            throw new DkimKeyUnavailableException(AuthResult.PermError, "key revoked");
        }

        AsymmetricKeyParameter key;
        try
        {
            key = GetPublicKey(record);
        }
        catch (Exception e) when (e is FormatException or ParseException or IOException or ArgumentException or InvalidCastException)
        {
            throw new DkimKeyUnavailableException(AuthResult.PermError, "key syntax error");
        }

        if (key is RsaKeyParameters rsa)
        {
            _rsaKeyBits[name] = rsa.Modulus.BitLength;
        }

        return key;
    }
}
