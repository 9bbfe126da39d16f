using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>A self-signed server certificate for 127.0.0.1, and a validation callback that trusts it alone.</summary>
internal static class TestCertificate
{
    public static X509Certificate2 CreateForLoopback()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=smarthost.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("smarthost.test");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>
    /// Accepts exactly <paramref name="trusted"/> as if it were signed by a trusted CA: the only error
    /// allowed is the untrusted chain; a name mismatch still fails.
    /// </summary>
    public static RemoteCertificateValidationCallback Trusting(X509Certificate2 trusted) =>
        (_, certificate, _, errors) =>
            certificate is not null &&
            certificate.GetCertHashString() == trusted.GetCertHashString() &&
            (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
}
