using MailRelay.Configuration;
using MailRelay.Dkim;

namespace MailRelay.DnsPublishing;

/// <summary>
/// Every DKIM key under DKIM_KEY_DIR for the DKIM domains, whatever its selector: the active one and any made by
/// <c>dkim generate</c> for a rotation, so a new key is published before MAIL_DOMAINS switches to it.
/// </summary>
public static class DkimKeysOnDisk
{
    /// <exception cref="DkimConfigurationException">A key file exists but cannot be used.</exception>
    public static IReadOnlyList<DkimPublicKey> Read(DkimSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var keys = new List<DkimPublicKey>();
        if (!settings.Enabled)
        {
            return keys;
        }

        foreach (var domain in settings.Domains)
        {
            var directory = Path.Combine(settings.KeyDirectory, domain.Name);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var path in Directory.EnumerateFiles(directory, "*.private").Order(StringComparer.Ordinal))
            {
                var selector = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
                if (!Configuration.Syntax.DomainNameSyntax.IsValidLabel(selector))
                {
                    continue;
                }

                using var key = DkimKeyReader.ReadExisting(DkimKeyFiles.For(settings.KeyDirectory, domain.Name, selector));
                if (key is not null)
                {
                    keys.Add(new DkimPublicKey(domain.Name, selector, key.PublicKeyBase64));
                }
            }
        }

        return keys;
    }
}
