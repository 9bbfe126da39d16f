using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailRelay.Configuration;
using MailRelay.Hosting;

namespace MailRelay.Tls;

/// <summary>
/// The server certificate of STARTTLS and the implicit-TLS listeners, read at start and read again when its files
/// change (<see cref="MountedFilesWatch"/>, checked at least every <see cref="CheckInterval"/>), so a certificate that
/// cert-manager renews in the mounted Secret is served without a restart. New sessions get the new certificate;
/// sessions already in TLS keep theirs. A changed pair that does not load (a key that does not match, a file cut
/// short) leaves the previous certificate in force and is reported once.
/// </summary>
public sealed class TlsCertificateStore : IHostedService, IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly TlsCertificateFiles _files;
    private readonly TimeProvider _time;
    private readonly TlsMetrics _metrics;
    private readonly ILogger<TlsCertificateStore> _logger;
    private readonly Lock _reloadSync = new();
    private X509Certificate2 _current;
    private byte[] _fingerprint;
    private MountedFilesWatch? _watch;

    /// <exception cref="InvalidOperationException">The files cannot be read or do not make a certificate with its key.</exception>
    public TlsCertificateStore(TlsCertificateFiles files, TimeProvider time, TlsMetrics metrics, ILogger<TlsCertificateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _files = files;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        if (!TryLoad(out var certificate, out _fingerprint, out var problem))
        {
            throw new InvalidOperationException($"TLS_CERT_FILE / TLS_KEY_FILE: {problem}");
        }

        _current = certificate;
        metrics.InUse(certificate.NotAfter);
        TlsLog.Loaded(logger, files.CertificateFile, certificate.Subject, certificate.NotAfter);
    }

    /// <summary>The certificate new TLS sessions get.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>Raised after a changed pair of files was checked: the certificate was replaced, or the change was refused.</summary>
    public event EventHandler? ChangeHandled;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = new MountedFilesWatch(
            [_files.CertificateFile, _files.KeyFile], CheckInterval, _time, () => ReloadIfChanged(),
            (directory, reason) => TlsLog.WatchFailed(_logger, directory, reason, CheckInterval));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _watch = null;
    }

    /// <summary>
    /// Reads both files and, when their content differs from what was last seen, takes the new certificate (or keeps
    /// the old one and logs why). True when the certificate was replaced. Sessions that already hold the previous
    /// certificate keep using it, so it is left to the garbage collector rather than disposed here.
    /// </summary>
    internal bool ReloadIfChanged()
    {
        bool replaced;
        lock (_reloadSync)
        {
            if (!TryReadBoth(out var certificatePem, out var keyPem, out var problem))
            {
                // Missing for a moment while the Secret is swapped: the next change or check tries again.
                return false;
            }

            var fingerprint = Fingerprint(certificatePem, keyPem);
            if (CryptographicOperations.FixedTimeEquals(fingerprint, _fingerprint))
            {
                return false;
            }

            // Remembered either way, so a bad pair is reported once, not at every check until it is fixed.
            _fingerprint = fingerprint;
            replaced = TryCreate(certificatePem, keyPem, out var certificate, out problem);
            if (replaced)
            {
                Volatile.Write(ref _current, certificate!);
                _metrics.InUse(certificate!.NotAfter);
                TlsLog.Reloaded(_logger, _files.CertificateFile, certificate.Subject, certificate.NotAfter);
            }
            else
            {
                TlsLog.ReloadFailed(_logger, problem);
            }

            _metrics.Reloaded(replaced);
        }

        ChangeHandled?.Invoke(this, EventArgs.Empty);
        return replaced;
    }

    private bool TryLoad(out X509Certificate2 certificate, out byte[] fingerprint, out string problem)
    {
        certificate = null!;
        fingerprint = [];
        if (!TryReadBoth(out var certificatePem, out var keyPem, out problem))
        {
            return false;
        }

        fingerprint = Fingerprint(certificatePem, keyPem);
        if (!TryCreate(certificatePem, keyPem, out var loaded, out problem))
        {
            return false;
        }

        certificate = loaded!;
        return true;
    }

    private bool TryReadBoth(out string certificatePem, out string keyPem, out string problem)
    {
        try
        {
            certificatePem = File.ReadAllText(_files.CertificateFile);
            keyPem = File.ReadAllText(_files.KeyFile);
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            certificatePem = keyPem = string.Empty;
            problem = ex.Message;
            return false;
        }
    }

    private static bool TryCreate(string certificatePem, string keyPem, out X509Certificate2? certificate, out string problem)
    {
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            certificate = null;
            problem = ex.Message;
            return false;
        }
    }

    private static byte[] Fingerprint(string certificatePem, string keyPem) =>
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(certificatePem + "\0" + keyPem));
}
