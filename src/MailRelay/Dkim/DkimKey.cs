using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MailRelay.Dkim;

/// <summary>One domain's signing key (RSA, rsa-sha256) with the selector it is published under.</summary>
public sealed class DkimKey : IDisposable
{
    /// <summary>RFC 8301 forbids keys under 1024 bits; beyond 4096 receivers and DNS struggle.</summary>
    public const int MinimumKeySize = 1024;

    public const int MaximumKeySize = 4096;

    private readonly RSA _rsa;
    private readonly byte[] _privateKey;
    private readonly ConcurrentBag<RSA> _signers = [];
    private int _disposed;

    internal DkimKey(DkimKeyFiles files, RSA rsa, DkimKeyOrigin origin)
    {
        Files = files;
        _rsa = rsa;
        _privateKey = rsa.ExportPkcs8PrivateKey();
        Origin = origin;
        PublicKeyBase64 = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The signing domain (d=), lower case ASCII.</summary>
    public string Domain => Files.Domain;

    /// <summary>The selector (s=).</summary>
    public string Selector => Files.Selector;

    public DkimKeyFiles Files { get; }

    public DkimKeyOrigin Origin { get; }

    public int KeySize => _rsa.KeySize;

    /// <summary>The p= value: base64 of the DER SubjectPublicKeyInfo.</summary>
    public string PublicKeyBase64 { get; }

    /// <summary>The zone-file TXT record to publish.</summary>
    public string ZoneLine => DkimTxtRecord.ZoneLine(Domain, Selector, PublicKeyBase64);

    /// <summary>Signs a SHA-256 digest with RSASSA-PKCS1-v1_5, as rsa-sha256 requires.</summary>
    internal byte[] SignSha256Hash(byte[] hash)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // The platform RSA object makes no thread-safety promise, and one lock around it made concurrent
        // deliveries queue behind each other: each signer takes an RSA object of its own from a pool, which
        // grows to the number of deliveries that sign at once.
        if (!_signers.TryTake(out var rsa))
        {
            rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(_privateKey, out _);
        }

        try
        {
            return rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            _signers.Add(rsa);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _rsa.Dispose();
        while (_signers.TryTake(out var rsa))
        {
            rsa.Dispose();
        }

        CryptographicOperations.ZeroMemory(_privateKey);
    }
}
