using System.Security.Cryptography;

namespace MailRelay.Dkim;

/// <summary>
/// Reads an existing key pair from its files and checks it: the private key parses (PKCS#8 or PKCS#1 PEM),
/// its size is within 1024–4096 bits, and the record file, when present, publishes the same public key.
/// Never writes anything.
/// </summary>
public static class DkimKeyReader
{
    /// <summary>The key, or null when its private key file does not exist.</summary>
    /// <exception cref="DkimConfigurationException">The key exists but cannot be used.</exception>
    public static DkimKey? ReadExisting(DkimKeyFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!File.Exists(files.PrivateKeyPath))
        {
            return null;
        }

        var rsa = ReadPrivateKey(files.PrivateKeyPath);
        try
        {
            if (rsa.KeySize is < DkimKey.MinimumKeySize or > DkimKey.MaximumKeySize)
            {
                throw new DkimConfigurationException(
                    $"DKIM key {files.PrivateKeyPath} has {rsa.KeySize} bits; keys must have {DkimKey.MinimumKeySize} to {DkimKey.MaximumKeySize} bits.");
            }

            var key = new DkimKey(files, rsa, DkimKeyOrigin.Existing);
            CheckRecordFile(files, key.PublicKeyBase64);
            return key;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>The p= value in a record file, or null when there is no record file.</summary>
    /// <exception cref="DkimConfigurationException">The file exists but holds no usable DKIM record.</exception>
    public static string? ReadPublishedKey(string recordPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(recordPath);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkimConfigurationException($"DKIM record file {recordPath} cannot be read: {e.Message}", e);
        }

        var value = DkimTxtRecord.ReadValue(text)
            ?? throw new DkimConfigurationException($"DKIM record file {recordPath} holds no quoted TXT record value.");
        var tags = DkimTxtRecord.ParseTags(value);
        if (tags.TryGetValue("k", out var keyType) && !keyType.Equals("rsa", StringComparison.OrdinalIgnoreCase))
        {
            throw new DkimConfigurationException($"DKIM record file {recordPath} publishes a k={keyType} key; only rsa keys are supported.");
        }

        if (!tags.TryGetValue("p", out var publicKey) || publicKey.Length == 0)
        {
            throw new DkimConfigurationException($"DKIM record file {recordPath} has no public key (p= tag).");
        }

        return publicKey;
    }

    private static void CheckRecordFile(DkimKeyFiles files, string publicKeyBase64)
    {
        var published = ReadPublishedKey(files.RecordPath);
        if (published is not null && !string.Equals(published, publicKeyBase64, StringComparison.Ordinal))
        {
            throw new DkimConfigurationException(
                $"DKIM record file {files.RecordPath} publishes a public key (p=) that does not belong to the private key {files.PrivateKeyPath}; " +
                "receivers would reject every signature. Replace or remove the record file, or restore the matching private key.");
        }
    }

    private static RSA ReadPrivateKey(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkimConfigurationException($"DKIM key {path} cannot be read: {e.Message}", e);
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);

            // ImportFromPem also accepts a lone public key; signing needs the private half.
            _ = rsa.ExportParameters(includePrivateParameters: true);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();

            // The exception text never quotes the file, so no key material reaches the log.
            throw new DkimConfigurationException(
                $"DKIM key {path} is not an RSA private key in PEM form (PKCS#8 'BEGIN PRIVATE KEY' or PKCS#1 'BEGIN RSA PRIVATE KEY').", e);
        }
    }
}
