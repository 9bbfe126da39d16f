using MailRelay.Configuration.Syntax;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads INBOUND_* and DMARC_REPORTS_*.</summary>
internal static class InboundSettingsReader
{
    public static InboundSettings Read(EnvironmentReader reader, IReadOnlyList<MailDomain> domains, string dataDirectory, string currentDirectory)
    {
        var enabled = reader.ReadBoolean(N.InboundEnabled);
        var recipients = reader.Read<IReadOnlyList<InboundRecipientPattern>>(N.InboundRecipients, ParseRecipients);
        var forwardTo = ReadForwardTo(reader, recipients, domains);
        if (enabled && domains.Count == 0 && !reader.HasError(N.MailDomains))
        {
            reader.Error(N.InboundEnabled, $"is true but {N.MailDomains} is empty: the feedback addresses are taken only at the domains of {N.MailDomains}.");
        }

        var storePath = reader.Given(N.DmarcReportsStorePath)?.Trim() ?? Path.Combine(dataDirectory, "dmarc-reports");
        reader.Resolve(N.DmarcReportsStorePath, storePath, fromDefault: reader.Given(N.DmarcReportsStorePath) is null);
        storePath = FileChecks.ResolveDirectoryPath(reader, N.DmarcReportsStorePath, storePath, currentDirectory);
        return new InboundSettings
        {
            Enabled = enabled,
            Recipients = recipients,
            ForwardTo = forwardTo,
            DmarcReports = new DmarcReportSettings
            {
                Enabled = reader.ReadBoolean(N.DmarcReportsEnabled),
                Store = reader.ReadBoolean(N.DmarcReportsStore),
                StorePath = storePath,
                MaxAge = reader.Read<TimeSpan>(N.DmarcReportsMaxAge, DurationSyntax.TryParse),
            },
        };
    }

    internal static bool ParseRecipients(string text, out IReadOnlyList<InboundRecipientPattern> value, out string error)
    {
        var patterns = new List<InboundRecipientPattern>();
        value = patterns;
        error = string.Empty;
        foreach (var entry in ListSyntax.Split(text))
        {
            var isPrefix = entry.EndsWith('+');
            var stem = isPrefix ? entry[..^1] : entry;
            if (stem.Length == 0 || stem.Length > 64 || !IsDotAtom(stem))
            {
                error = $"'{entry}' is not a local part (letters, digits and !#$%&'*+-/=?^_`{{|}}~ between dots, at most 64), or one followed by + for a prefix.";
                return false;
            }

            patterns.Add(new InboundRecipientPattern(entry.ToLowerInvariant(), isPrefix));
        }

        if (patterns.Count == 0)
        {
            error = "lists no local part.";
            return false;
        }

        return true;
    }

    private static string? ReadForwardTo(EnvironmentReader reader, IReadOnlyList<InboundRecipientPattern> recipients, IReadOnlyList<MailDomain> domains)
    {
        var given = reader.Given(N.InboundForwardTo)?.Trim();
        reader.Resolve(N.InboundForwardTo, given ?? string.Empty, fromDefault: given is null);
        if (string.IsNullOrEmpty(given))
        {
            return null;
        }

        var at = given.LastIndexOf('@');
        if (at <= 0 || !IsDotAtom(given[..at]) || !DomainNameSyntax.TryParse(given[(at + 1)..], requireDot: true, out var domain, out _))
        {
            reader.Error(N.InboundForwardTo, $"'{given}' is not an address (local@domain.example, without angle brackets).");
            return null;
        }

        var localPart = given[..at];
        if (domains.Any(d => string.Equals(d.Name, domain, StringComparison.OrdinalIgnoreCase)) && recipients.Any(r => r.Matches(localPart)))
        {
            reader.Error(N.InboundForwardTo, $"'{given}' is itself one of the feedback addresses ({N.InboundRecipients}): forwarded mail would come back here forever.");
            return null;
        }

        return localPart + "@" + domain;
    }

    private static bool IsDotAtom(string text)
    {
        if (text.StartsWith('.') || text.EndsWith('.') || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
