namespace MailRelay.Configuration;

/// <summary>
/// Finds variables of Postfix and of the bokysan/docker-postfix image (<c>RELAYHOST</c>, <c>MYNETWORKS</c>,
/// <c>POSTFIX_myhostname</c>, ...) that people migrating keep setting. We read none of them, so each one
/// set is a warning naming our variable; a smarthost set only under a foreign name is an error, because
/// mail would otherwise go straight to the recipients' MX hosts instead of where the operator meant.
/// </summary>
internal static class ForeignVariableDetector
{
    /// <summary>Foreign name → the variable (or variables) of ours that does the same.</summary>
    private static readonly (string Name, string Ours)[] Table =
    [
        ("RELAYHOST", VariableNames.RelayHost),
        ("POSTFIX_relayhost", VariableNames.RelayHost),
        ("RELAYHOST_USERNAME", VariableNames.RelayUsername),
        ("RELAYHOST_PASSWORD", VariableNames.RelayPassword),
        ("RELAYHOST_PASSWORD_FILE", VariableNames.RelayPasswordFile),
        ("POSTFIX_smtp_tls_security_level", VariableNames.RelayTls),
        ("MYNETWORKS", VariableNames.TrustedNetworks),
        ("POSTFIX_mynetworks", VariableNames.TrustedNetworks),
        ("MESSAGE_SIZE_LIMIT", VariableNames.MaxMessageSize),
        ("POSTFIX_message_size_limit", VariableNames.MaxMessageSize),
        ("ALLOWED_SENDER_DOMAINS", $"{VariableNames.MailDomains} or {VariableNames.SenderAllowedFrom}"),
        ("POSTFIX_myhostname", VariableNames.MailHostname),
        ("POSTFIX_inet_protocols", VariableNames.InetProtocols),
        ("DKIM_AUTOGENERATE", VariableNames.DkimAutoGenerate),
        ("INBOUND_DEBUGGING", VariableNames.LogLevel),
    ];

    /// <summary>Whether <paramref name="name"/> is one of the foreign names (so it is not also called a misspelling).</summary>
    public static bool IsForeign(string name) => Table.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>The errors and warnings for the foreign variables set (non-blank) in <paramref name="environment"/>.</summary>
    public static (IReadOnlyList<ConfigurationError> Errors, IReadOnlyList<ConfigurationWarning> Warnings) Find(
        IReadOnlyDictionary<string, string?> environment)
    {
        var errors = new List<ConfigurationError>();
        var warnings = new List<ConfigurationWarning>();
        foreach (var (name, ours) in Table)
        {
            if (!IsSet(environment, name))
            {
                continue;
            }

            if (string.Equals(ours, VariableNames.RelayHost, StringComparison.Ordinal) && !IsSet(environment, ours))
            {
                errors.Add(new ConfigurationError(
                    name,
                    $"is a Postfix name that MailRelay does not read; without {ours} mail would go straight to the recipients' MX hosts. Set {ours} (and unset {name})."));
            }
            else
            {
                warnings.Add(new ConfigurationWarning(name, $"is a Postfix name that MailRelay does not read, ignored; use {ours}."));
            }
        }

        return (errors, warnings);
    }

    private static bool IsSet(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value);
}
