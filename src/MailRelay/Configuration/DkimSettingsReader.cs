using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads our sender domains and the DKIM settings that depend on them.</summary>
internal static class DkimSettingsReader
{
    public static string ReadSelector(EnvironmentReader reader) =>
        reader.Read(N.DkimSelector, (string text, out string value, out string error) =>
        {
            value = text.Trim().ToLowerInvariant();
            error = DomainNameSyntax.IsValidLabel(value) ? string.Empty : $"'{text}' is not a DNS label (letters, digits and inner hyphens, up to 63).";
            return error.Length == 0;
        });

    /// <summary>MAIL_DOMAINS: <c>domain[:selector]</c> entries, no domain twice.</summary>
    public static IReadOnlyList<MailDomain> ReadMailDomains(EnvironmentReader reader, string defaultSelector)
    {
        var given = reader.Given(N.MailDomains);
        reader.Resolve(N.MailDomains, given ?? string.Empty, fromDefault: given is null);
        var domains = new List<MailDomain>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var domainText = colon < 0 ? entry : entry[..colon];
            var selector = colon < 0 ? defaultSelector : entry[(colon + 1)..].Trim().ToLowerInvariant();
            if (!DomainNameSyntax.TryParse(domainText, requireDot: true, out var domain, out var error))
            {
                problems.Add(error);
                continue;
            }

            if (!DomainNameSyntax.IsValidLabel(selector))
            {
                problems.Add($"'{entry}': selector '{selector}' is not a DNS label");
                continue;
            }

            if (domains.Any(d => d.Name == domain))
            {
                problems.Add($"domain '{domain}' is listed twice");
                continue;
            }

            domains.Add(new MailDomain(domain, selector));
        }

        if (problems.Count > 0)
        {
            reader.Error(N.MailDomains, string.Join("; ", problems));
        }

        return domains;
    }

    public static DkimSettings Read(EnvironmentReader reader, IReadOnlyList<MailDomain> mailDomains, string selector, string dataDirectory, string currentDirectory)
    {
        var keyDirectory = reader.Given(N.DkimKeyDir)?.Trim() ?? Path.Combine(dataDirectory, "dkim-keys");
        reader.Resolve(N.DkimKeyDir, keyDirectory, fromDefault: reader.Given(N.DkimKeyDir) is null);
        keyDirectory = FileChecks.ResolveDirectoryPath(reader, N.DkimKeyDir, keyDirectory, currentDirectory);

        return new DkimSettings
        {
            Enabled = reader.ReadBoolean(N.DkimEnabled),
            AutoGenerate = reader.ReadBoolean(N.DkimAutoGenerate),
            KeySize = ReadKeySize(reader),
            Domains = ReadDkimDomains(reader, mailDomains, selector),
            DefaultSelector = selector,
            KeyDirectory = keyDirectory,
        };
    }

    private static int ReadKeySize(EnvironmentReader reader)
    {
        var size = reader.ReadInteger(N.DkimKeySize, 1024, 4096);
        if (size % 8 != 0)
        {
            reader.Error(N.DkimKeySize, $"{size} is not a multiple of 8.");
        }

        return size;
    }

    private static IReadOnlyList<MailDomain> ReadDkimDomains(EnvironmentReader reader, IReadOnlyList<MailDomain> mailDomains, string selector)
    {
        var given = reader.Given(N.DkimDomains);
        if (given is null)
        {
            reader.Resolve(N.DkimDomains, string.Join(",", mailDomains.Select(d => d.Name)), fromDefault: true);
            return mailDomains;
        }

        reader.Resolve(N.DkimDomains, given, fromDefault: false);
        var domains = new List<MailDomain>();
        var problems = new List<string>();
        foreach (var entry in ListSyntax.Split(given))
        {
            if (!DomainNameSyntax.TryParse(entry, requireDot: true, out var domain, out var error))
            {
                problems.Add(error);
            }
            else if (domains.Any(d => d.Name == domain))
            {
                problems.Add($"domain '{domain}' is listed twice");
            }
            else
            {
                // A domain also in MAIL_DOMAINS keeps the selector given there.
                domains.Add(mailDomains.FirstOrDefault(d => d.Name == domain) ?? new MailDomain(domain, selector));
            }
        }

        if (problems.Count > 0)
        {
            reader.Error(N.DkimDomains, string.Join("; ", problems));
        }

        return domains;
    }
}
