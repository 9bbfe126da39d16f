using System.Security.Cryptography.X509Certificates;
using MailRelay.Tests.Tls;

namespace MailRelay.Tests.Integration;

/// <summary>A self-signed server certificate as PEM files (tls.crt, tls.key), and the check that pins it on the client side.</summary>
internal sealed class AuthCertificate
{
    private readonly PemCertificate _pem = new(TimeSpan.FromDays(1));

    public AuthCertificate(TestDirectory directory)
    {
        CertificateFile = Path.Combine(directory.Path, "tls.crt");
        KeyFile = Path.Combine(directory.Path, "tls.key");
        File.WriteAllText(CertificateFile, _pem.CertificatePem);
        File.WriteAllText(KeyFile, _pem.KeyPem);
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>The certificate is self-signed: pin it instead of trusting a CA.</summary>
    public bool IsOurs(X509Certificate? presented) =>
        presented is not null && string.Equals(presented.GetCertHashString(), _pem.Thumbprint, StringComparison.Ordinal);
}
