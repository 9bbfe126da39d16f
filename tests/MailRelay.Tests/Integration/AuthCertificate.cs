using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Tests.Integration;

/// <summary>A self-signed server certificate as PEM files, and the check that pins it on the client side.</summary>
internal sealed class AuthCertificate
{
    private readonly string _thumbprint;

    public AuthCertificate(TestDirectory directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.test.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificateFile = Path.Combine(directory.Path, "tls.crt");
        KeyFile = Path.Combine(directory.Path, "tls.key");
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
        _thumbprint = certificate.GetCertHashString();
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>The certificate is self-signed: pin it instead of trusting a CA.</summary>
    public bool IsOurs(X509Certificate? presented) =>
        presented is not null && string.Equals(presented.GetCertHashString(), _thumbprint, StringComparison.Ordinal);
}
