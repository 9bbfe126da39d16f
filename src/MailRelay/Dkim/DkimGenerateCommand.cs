using MailRelay.Configuration;
using MailRelay.Configuration.Syntax;
using MailRelay.DnsPublishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Dkim;

/// <summary>
/// <c>MailRelay dkim generate &lt;domain&gt; &lt;selector&gt;</c>: creates a key under a new selector for rotation
/// (publish its record, then switch MAIL_DOMAINS to it). Refuses to touch a selector that already has a key.
/// </summary>
public static class DkimGenerateCommand
{
    public static int Run(RelayConfiguration configuration, string domain, string selector, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var settings = configuration.Dkim;
        var name = domain.Trim().TrimEnd('.').ToLowerInvariant();
        var label = selector.Trim().ToLowerInvariant();
        if (!settings.Domains.Any(d => d.Name == name))
        {
            stderr.WriteLine($"{name} is not a DKIM domain (DKIM_DOMAINS: {string.Join(", ", settings.Domains.Select(d => d.Name))}).");
            return 1;
        }

        if (!DomainNameSyntax.IsValidLabel(label))
        {
            stderr.WriteLine($"'{selector}' is not a DNS label (letters, digits and inner hyphens, up to 63).");
            return 1;
        }

        var files = DkimKeyFiles.For(settings.KeyDirectory, name, label);
        if (File.Exists(files.PrivateKeyPath))
        {
            stderr.WriteLine($"{files.PrivateKeyPath} already exists; keys are never replaced. Choose a new selector.");
            return 1;
        }

        try
        {
            using var key = DkimKeyStore.Generate(settings.KeySize, files, NullLogger.Instance);
            stdout.WriteLine(configuration.Dns.Provider == DnsProviderKind.None
                ? $"; new key in {files.PrivateKeyPath}; publish this record, wait for it to be visible, then set MAIL_DOMAINS={name}:{label}"
                : $"; new key in {files.PrivateKeyPath}; the running relay publishes it now (DNS_PROVIDER); once `MailRelay dns status` shows it resolving, set MAIL_DOMAINS={name}:{label}");
            var record = new DkimPublicKey(name, label, key.PublicKeyBase64);
            DesiredRecordsWriter.Write(stdout, [new DesiredRecordSet(RecordKind.Dkim, record.RecordName, [record.RecordValue], configuration.Dns.Ttl)]);
            return 0;
        }
        catch (DkimConfigurationException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
    }
}
