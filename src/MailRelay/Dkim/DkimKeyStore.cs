using System.Security.Cryptography;
using System.Text;
using MailRelay.Configuration;

namespace MailRelay.Dkim;

/// <summary>
/// The signing keys of every DKIM domain, loaded (or generated) once at start and immutable afterwards.
/// </summary>
public sealed class DkimKeyStore : IDisposable
{
    private const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode RecordMode = PrivateKeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly Dictionary<string, DkimKey> _byDomain;

    public DkimKeyStore(IEnumerable<DkimKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = keys.ToList();
        _byDomain = Keys.ToDictionary(k => k.Domain, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The keys in the order of DKIM_DOMAINS.</summary>
    public IReadOnlyList<DkimKey> Keys { get; }

    /// <summary>
    /// Loads every DKIM domain's key, generating missing ones when DKIM_AUTO_GENERATE is on, and logs each
    /// record to publish once. With DKIM disabled the store is empty and no file is touched.
    /// </summary>
    /// <exception cref="DkimConfigurationException">A key is missing (no auto-generation), unreadable or inconsistent.</exception>
    public static DkimKeyStore LoadOrCreate(DkimSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        if (!settings.Enabled)
        {
            DkimLog.Disabled(logger);
            return new DkimKeyStore([]);
        }

        var keys = new List<DkimKey>();
        try
        {
            foreach (var domain in settings.Domains)
            {
                var key = LoadOrCreate(settings, DkimKeyFiles.For(settings.KeyDirectory, domain.Name, domain.DkimSelector), logger);
                DkimLog.RecordToPublish(logger, key.Domain, key.ZoneLine);
                keys.Add(key);
            }
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }

        return new DkimKeyStore(keys);
    }

    /// <summary>
    /// The key for a domain: its own, else that of the nearest parent domain we sign for, so mail from
    /// <c>news.example.com</c> is signed d=example.com (aligned under DMARC's default relaxed alignment).
    /// </summary>
    public DkimKey? FindForDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var candidate = domain.TrimEnd('.');
        while (candidate.Length > 0)
        {
            if (_byDomain.TryGetValue(candidate, out var key))
            {
                return key;
            }

            var dot = candidate.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[(dot + 1)..];
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var key in Keys)
        {
            key.Dispose();
        }
    }

    private static DkimKey LoadOrCreate(DkimSettings settings, DkimKeyFiles files, ILogger logger)
    {
        var existing = DkimKeyReader.ReadExisting(files);
        if (existing is not null)
        {
            DkimLog.KeyLoaded(logger, existing.Domain, existing.Selector, existing.KeySize, files.PrivateKeyPath);
            if (!File.Exists(files.RecordPath))
            {
                TryWriteRecord(existing, logger);
            }

            return existing;
        }

        if (!settings.AutoGenerate)
        {
            throw new DkimConfigurationException(
                $"DKIM key for {files.Domain} is missing: {files.PrivateKeyPath} does not exist and DKIM_AUTO_GENERATE is false. " +
                "Provide the private key there (PEM) or set DKIM_AUTO_GENERATE=true.");
        }

        return Generate(settings.KeySize, files, logger);
    }

    internal static DkimKey Generate(int keySize, DkimKeyFiles files, ILogger logger)
    {
        var rsa = RSA.Create(keySize);
        try
        {
            CreateDirectory(files.DomainDirectory);
            AtomicFile.Write(files.PrivateKeyPath, Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem() + "\n"), PrivateKeyMode);
            var key = new DkimKey(files, rsa, DkimKeyOrigin.Generated);
            var replacing = File.Exists(files.RecordPath);
            AtomicFile.Write(files.RecordPath, Encoding.ASCII.GetBytes(key.ZoneLine + "\n"), RecordMode);
            if (replacing)
            {
                DkimLog.StaleRecordReplaced(logger, files.RecordPath);
            }

            DkimLog.KeyGenerated(logger, key.Domain, key.Selector, key.KeySize, files.PrivateKeyPath);
            return key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            rsa.Dispose();
            throw new DkimConfigurationException($"Cannot store the new DKIM key for {files.Domain} in {files.DomainDirectory}: {e.Message}", e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    private static void TryWriteRecord(DkimKey key, ILogger logger)
    {
        // An operator-provided key may sit on a read-only mount (a Kubernetes Secret): the record is then only logged.
        try
        {
            AtomicFile.Write(key.Files.RecordPath, Encoding.ASCII.GetBytes(key.ZoneLine + "\n"), RecordMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DkimLog.RecordFileNotWritten(logger, key.Files.RecordPath, e.Message);
        }
    }
}
