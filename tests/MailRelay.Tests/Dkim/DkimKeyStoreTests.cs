using System.Runtime.Versioning;
using System.Security.Cryptography;
using MailRelay.Configuration;
using MailRelay.Dkim;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Dkim;

public sealed class DkimKeyStoreTests : IDisposable
{
    private readonly DkimTestDirectory _directory = new();

    [Fact]
    public void Generated_key_is_stored_in_the_documented_layout_and_survives_a_restart_unchanged()
    {
        var settings = _directory.Settings();
        string firstPublicKey;
        using (var first = DkimKeyStore.LoadOrCreate(settings, NullLogger.Instance))
        {
            Assert.Equal(DkimKeyOrigin.Generated, first.Keys[0].Origin);
            firstPublicKey = first.Keys[0].PublicKeyBase64;
        }

        var privatePath = Path.Combine(_directory.Path, "example.com", "mail.private");
        var recordPath = Path.Combine(_directory.Path, "example.com", "mail.txt");
        var privateBytes = File.ReadAllBytes(privatePath);
        var recordBytes = File.ReadAllBytes(recordPath);

        using var second = DkimKeyStore.LoadOrCreate(settings, NullLogger.Instance);

        Assert.Equal(DkimKeyOrigin.Existing, second.Keys[0].Origin);
        Assert.Equal(firstPublicKey, second.Keys[0].PublicKeyBase64);
        Assert.Equal(privateBytes, File.ReadAllBytes(privatePath));
        Assert.Equal(recordBytes, File.ReadAllBytes(recordPath));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(privatePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_signatures_all_verify_with_the_published_key()
    {
        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance);
        var key = store.Keys[0];
        using var published = RSA.Create();
        published.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.PublicKeyBase64), out _);
        using var start = new ManualResetEventSlim();

        var signers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            start.Wait();
            var signed = new List<(byte[] Hash, byte[] Signature)>();
            for (var i = 0; i < 25; i++)
            {
                var hash = SHA256.HashData(BitConverter.GetBytes((worker * 1000) + i));
                signed.Add((hash, key.SignSha256Hash(hash)));
            }

            return signed;
        })).ToList();
        start.Set();
        var results = (await Task.WhenAll(signers)).SelectMany(r => r).ToList();

        Assert.Equal(200, results.Count);
        Assert.All(results, r => Assert.True(published.VerifyHash(r.Hash, r.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Fact]
    public void A_disposed_key_refuses_to_sign()
    {
        var store = DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance);
        var key = store.Keys[0];
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.SignSha256Hash(SHA256.HashData([1, 2, 3])));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void Private_key_file_is_readable_by_the_owner_only()
    {
        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Keys[0].Files.PrivateKeyPath));
        Assert.Empty(Directory.GetFiles(store.Keys[0].Files.DomainDirectory, ".*"));
    }

    [Fact]
    public void Record_file_is_the_zone_line_with_the_public_key_of_the_private_key()
    {
        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance);
        var key = store.Keys[0];
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(key.Files.PrivateKeyPath));
        var text = File.ReadAllText(key.Files.RecordPath);

        Assert.StartsWith("mail._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; \" \"p=", text, StringComparison.Ordinal);
        Assert.Equal("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), DkimTxtRecord.ReadValue(text));
    }

    [Fact]
    public void Operator_key_is_used_and_never_rewritten_and_its_missing_record_is_written()
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        using var operatorKey = RSA.Create(2048);

        // opendkim-genkey writes PKCS#1; that form must be accepted too.
        File.WriteAllText(files.PrivateKeyPath, operatorKey.ExportRSAPrivateKeyPem());
        var past = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(files.PrivateKeyPath, past);
        var bytes = File.ReadAllBytes(files.PrivateKeyPath);

        using (var store = DkimKeyStore.LoadOrCreate(_directory.Settings(keySize: 1024), NullLogger.Instance))
        {
            Assert.Equal(DkimKeyOrigin.Existing, store.Keys[0].Origin);
            Assert.Equal(2048, store.Keys[0].KeySize);
            Assert.Equal(Convert.ToBase64String(operatorKey.ExportSubjectPublicKeyInfo()), store.Keys[0].PublicKeyBase64);
        }

        using var restarted = DkimKeyStore.LoadOrCreate(_directory.Settings(keySize: 1024), NullLogger.Instance);

        Assert.Equal(bytes, File.ReadAllBytes(files.PrivateKeyPath));
        Assert.Equal(past, File.GetLastWriteTimeUtc(files.PrivateKeyPath));
        Assert.Equal(
            "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(operatorKey.ExportSubjectPublicKeyInfo()),
            DkimTxtRecord.ReadValue(File.ReadAllText(files.RecordPath)));
    }

    [Fact]
    public void Opendkim_style_record_file_with_a_comment_is_accepted()
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        using var operatorKey = RSA.Create(1024);
        File.WriteAllText(files.PrivateKeyPath, operatorKey.ExportPkcs8PrivateKeyPem());
        var p = Convert.ToBase64String(operatorKey.ExportSubjectPublicKeyInfo());
        File.WriteAllText(files.RecordPath,
            $"mail._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p={p[..100]}\"\n\t  \"{p[100..]}\" )  ; ----- DKIM key mail for example.com\n");

        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings(autoGenerate: false), NullLogger.Instance);

        Assert.Equal(p, store.Keys[0].PublicKeyBase64);
    }

    [Fact]
    public void Missing_key_without_auto_generation_is_an_error_naming_the_file()
    {
        var error = Assert.Throws<DkimConfigurationException>(
            () => DkimKeyStore.LoadOrCreate(_directory.Settings(autoGenerate: false), NullLogger.Instance));

        Assert.Contains(Path.Combine(_directory.Path, "example.com", "mail.private"), error.Message, StringComparison.Ordinal);
        Assert.Contains("DKIM_AUTO_GENERATE", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "example.com")));
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAAbroken\n-----END PRIVATE KEY-----\n")]
    public void Corrupt_key_file_is_an_error_naming_the_file_and_is_left_alone(string content)
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        File.WriteAllText(files.PrivateKeyPath, content);

        var error = Assert.Throws<DkimConfigurationException>(() => DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance));

        Assert.Contains(files.PrivateKeyPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(files.PrivateKeyPath));
    }

    [Fact]
    public void Public_key_alone_is_not_accepted_as_a_signing_key()
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        using var rsa = RSA.Create(1024);
        File.WriteAllText(files.PrivateKeyPath, rsa.ExportSubjectPublicKeyInfoPem());

        var error = Assert.Throws<DkimConfigurationException>(() => DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance));

        Assert.Contains(files.PrivateKeyPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_file_that_publishes_another_key_is_an_error()
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        using var key = RSA.Create(1024);
        using var other = RSA.Create(1024);
        File.WriteAllText(files.PrivateKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.RecordPath, DkimTxtRecord.ZoneLine("example.com", "mail", Convert.ToBase64String(other.ExportSubjectPublicKeyInfo())));

        var error = Assert.Throws<DkimConfigurationException>(() => DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance));

        Assert.Contains(files.RecordPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not belong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_key_smaller_than_1024_bits_is_an_error()
    {
        var files = DkimKeyFiles.For(_directory.Path, "example.com", "mail");
        Directory.CreateDirectory(files.DomainDirectory);
        using var weak = RSA.Create(512);
        File.WriteAllText(files.PrivateKeyPath, weak.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<DkimConfigurationException>(() => DkimKeyStore.LoadOrCreate(_directory.Settings(), NullLogger.Instance));

        Assert.Contains("512 bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_of_a_4096_bit_key_is_split_into_strings_of_at_most_255_octets()
    {
        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings(keySize: 4096), NullLogger.Instance);
        var key = store.Keys[0];
        var strings = DkimTxtRecord.Strings(key.PublicKeyBase64);

        Assert.Equal(4096, key.KeySize);
        Assert.True(strings.Count >= 4, $"expected the 736-character key to need several strings, got {strings.Count}");
        Assert.All(strings, s => Assert.InRange(s.Length, 1, 255));
        Assert.Equal("v=DKIM1; k=rsa; p=" + key.PublicKeyBase64, string.Concat(strings));
        Assert.Equal(string.Concat(strings), DkimTxtRecord.ReadValue(File.ReadAllText(key.Files.RecordPath)));
    }

    [Fact]
    public void Disabled_dkim_loads_no_keys_and_writes_nothing()
    {
        using var store = DkimKeyStore.LoadOrCreate(_directory.Settings() with { Enabled = false }, NullLogger.Instance);

        Assert.Empty(store.Keys);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Every_domain_gets_its_own_key_under_its_own_selector()
    {
        using var store = DkimKeyStore.LoadOrCreate(
            _directory.Settings(true, 1024, new MailDomain("example.com", "mail"), new MailDomain("example.org", "s1")), NullLogger.Instance);

        Assert.True(File.Exists(Path.Combine(_directory.Path, "example.org", "s1.private")));
        Assert.NotEqual(store.Keys[0].PublicKeyBase64, store.Keys[1].PublicKeyBase64);
    }

    [Fact]
    public void Domain_lookup_prefers_the_most_specific_key_and_walks_up_to_parents()
    {
        using var store = DkimKeyStore.LoadOrCreate(
            _directory.Settings(true, 1024, new MailDomain("example.com", "mail"), new MailDomain("eu.example.com", "mail")), NullLogger.Instance);

        Assert.Equal("eu.example.com", store.FindForDomain("eu.example.com")?.Domain);
        Assert.Equal("eu.example.com", store.FindForDomain("shop.eu.example.com")?.Domain);
        Assert.Equal("example.com", store.FindForDomain("us.example.com")?.Domain);
        Assert.Equal("example.com", store.FindForDomain("EXAMPLE.COM.")?.Domain);
        Assert.Null(store.FindForDomain("example.net"));
        Assert.Null(store.FindForDomain("notexample.com"));
    }

    public void Dispose() => _directory.Dispose();
}
