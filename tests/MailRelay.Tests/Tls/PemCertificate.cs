using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Tests.Tls;

/// <summary>A self-signed server certificate and its key as PEM text, valid until <see cref="NotAfter"/>.</summary>
internal sealed class PemCertificate
{
    public PemCertificate(TimeSpan validFor)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.test.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var notAfter = DateTimeOffset.UtcNow.Add(validFor);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), notAfter);
        CertificatePem = certificate.ExportCertificatePem();
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        Thumbprint = certificate.GetCertHashString();
        NotAfter = certificate.NotAfter.ToUniversalTime();
    }

    public string CertificatePem { get; }

    public string KeyPem { get; }

    public string Thumbprint { get; }

    public DateTime NotAfter { get; }

    public IReadOnlyDictionary<string, string> SecretFiles => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tls.crt"] = CertificatePem,
        ["tls.key"] = KeyPem,
    };

    public double NotAfterUnixSeconds => new DateTimeOffset(NotAfter).ToUnixTimeSeconds();
}
