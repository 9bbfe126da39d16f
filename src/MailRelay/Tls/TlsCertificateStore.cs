using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailRelay.Configuration;
using MailRelay.Hosting;

namespace MailRelay.Tls;

/// <summary>
/// The server certificate of STARTTLS and the implicit-TLS listeners, read at start and read again when its files
/// change (<see cref="MountedFileReloader"/>), so a certificate that cert-manager renews in the mounted Secret is
/// served without a restart. New sessions get the new certificate; sessions already in TLS keep theirs, so a replaced
/// certificate is left to the garbage collector rather than disposed. A changed pair that does not load (a key that
/// does not match, a file cut short) leaves the previous certificate in force.
/// </summary>
public sealed class TlsCertificateStore : MountedFileReloader
{
    private readonly TlsCertificateFiles _files;
    private readonly TlsMetrics _metrics;
    private readonly ILogger<TlsCertificateStore> _logger;
    private X509Certificate2 _current;

    /// <exception cref="InvalidOperationException">The files cannot be read or do not make a certificate with its key.</exception>
    public TlsCertificateStore(TlsCertificateFiles files, TimeProvider time, TlsMetrics metrics, ILogger<TlsCertificateStore> logger)
        : base([(files ?? throw new ArgumentNullException(nameof(files))).CertificateFile, files.KeyFile], time)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _files = files;
        _metrics = metrics;
        _logger = logger;
        if (!TryRead(out var content, out var problem) || !TryCreate(content, out var certificate, out problem))
        {
            throw new InvalidOperationException($"TLS_CERT_FILE / TLS_KEY_FILE: {problem}");
        }

        _current = certificate;
        Loaded(content);
        metrics.InUse(certificate.NotAfter);
        TlsLog.Loaded(logger, files.CertificateFile, certificate.Subject, certificate.NotAfter);
    }

    /// <summary>The certificate new TLS sessions get.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current);

    protected override bool TryRead(out byte[] content) => TryRead(out content, out _);

    protected override bool TryApply(byte[] content)
    {
        var replaced = TryCreate(content, out var certificate, out var problem);
        if (replaced)
        {
            Volatile.Write(ref _current, certificate);
            _metrics.InUse(certificate.NotAfter);
            TlsLog.Reloaded(_logger, _files.CertificateFile, certificate.Subject, certificate.NotAfter);
        }
        else
        {
            TlsLog.ReloadFailed(_logger, problem);
        }

        _metrics.Reloaded(replaced);
        return replaced;
    }

    protected override void WatchFailed(string directory, string reason) => TlsLog.WatchFailed(_logger, directory, reason, CheckInterval);

    /// <summary>Both files as one content: the certificate's PEM, a NUL (which PEM text never holds), the key's PEM.</summary>
    private bool TryRead(out byte[] content, out string problem)
    {
        try
        {
            content = [.. File.ReadAllBytes(_files.CertificateFile), 0, .. File.ReadAllBytes(_files.KeyFile)];
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            content = [];
            problem = ex.Message;
            return false;
        }
    }

    private static bool TryCreate(byte[] content, out X509Certificate2 certificate, out string problem)
    {
        var separator = Array.IndexOf(content, (byte)0);
        try
        {
            certificate = X509Certificate2.CreateFromPem(
                System.Text.Encoding.UTF8.GetString(content, 0, separator), System.Text.Encoding.UTF8.GetString(content, separator + 1, content.Length - separator - 1));
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            certificate = null!;
            problem = ex.Message;
            return false;
        }
    }
}
