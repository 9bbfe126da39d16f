using MailRelay.Configuration;

namespace MailRelay.Dkim;

/// <summary>
/// <c>MailRelay dkim show [domain]</c>: prints the DNS records to publish for the keys already on disk.
/// Never generates a key (the daemon does that on its first start).
/// </summary>
public static class DkimShowCommand
{
    public static int Run(RelayConfiguration configuration, string? domain, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var settings = configuration.Dkim;
        if (!settings.Enabled)
        {
            stderr.WriteLine("DKIM is disabled (DKIM_ENABLED=false); no records to publish.");
            return 1;
        }

        var domains = settings.Domains;
        if (domain is not null)
        {
            var wanted = domain.Trim().TrimEnd('.').ToLowerInvariant();
            domains = settings.Domains.Where(d => d.Name == wanted).ToList();
            if (domains.Count == 0)
            {
                stderr.WriteLine($"{wanted} is not a DKIM domain (DKIM_DOMAINS: {string.Join(", ", settings.Domains.Select(d => d.Name))}).");
                return 1;
            }
        }

        if (domains.Count == 0)
        {
            stderr.WriteLine("No DKIM domains are configured (DKIM_DOMAINS, or MAIL_DOMAINS).");
            return 1;
        }

        var exitCode = 0;
        foreach (var mailDomain in domains)
        {
            var files = DkimKeyFiles.For(settings.KeyDirectory, mailDomain.Name, mailDomain.DkimSelector);
            try
            {
                using var key = DkimKeyReader.ReadExisting(files);
                if (key is null)
                {
                    stderr.WriteLine(
                        $"No DKIM key for {mailDomain.Name} yet ({files.PrivateKeyPath}): the daemon generates it on its first start " +
                        "(DKIM_AUTO_GENERATE=true), or provide one there.");
                    exitCode = 1;
                    continue;
                }

                DkimRecords.Write(stdout, key, configuration.HostName, []);
                stdout.WriteLine();
            }
            catch (DkimConfigurationException e)
            {
                stderr.WriteLine(e.Message);
                exitCode = 1;
            }
        }

        return exitCode;
    }
}
