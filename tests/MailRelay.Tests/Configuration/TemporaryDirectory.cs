using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Tests.Configuration;

/// <summary>A directory under the system temp folder, removed when the test ends.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("mailrelay-config-").FullName;
    }

    public string Path { get; }

    public string WriteFile(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Writes a self-signed certificate and its key as PEM files; returns their paths.</summary>
    public (string Certificate, string Key) WriteCertificatePair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=relay-test.example", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (WriteFile("cert.pem", certificate.ExportCertificatePem()), WriteFile("key.pem", key.ExportPkcs8PrivateKeyPem()));
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
