using System.Security.Cryptography;
using MailRelay.Dkim;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.Dkim;

/// <summary>A key provided on a read-only mount (a Kubernetes Secret): used, not written to, its record logged.</summary>
public sealed class OperatorKeyMountTests : IDisposable
{
    private readonly DkimTestDirectory _keyDirectory = new();
    private readonly DkimTestDirectory _secret = new();

    [Fact]
    public void Key_on_a_read_only_mount_without_a_record_file_is_used_and_its_record_is_logged()
    {
        using var rsa = RSA.Create(1024);
        File.WriteAllText(Path.Combine(_secret.Path, "mail.private"), rsa.ExportPkcs8PrivateKeyPem());
        using var mount = new ReadOnlyBindMount(_secret.Path, Path.Combine(_keyDirectory.Path, "example.com"));
        var logger = new RecordingLogger();

        using var store = DkimKeyStore.LoadOrCreate(_keyDirectory.Settings(autoGenerate: true), logger);

        var key = store.Keys.Single();
        Assert.Equal(DkimKeyOrigin.Existing, key.Origin);
        Assert.Equal(Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), key.PublicKeyBase64);
        Assert.False(File.Exists(key.Files.RecordPath));
        Assert.Contains(logger.Messages, m => m.Contains(key.ZoneLine, StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains("Could not write the DKIM record file", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _keyDirectory.Dispose();
        _secret.Dispose();
    }
}
