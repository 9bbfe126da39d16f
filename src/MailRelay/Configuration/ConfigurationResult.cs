using System.Diagnostics.CodeAnalysis;

namespace MailRelay.Configuration;

/// <summary>
/// The outcome of loading the configuration: either a complete <see cref="RelayConfiguration"/> or every error
/// found, never a half-built configuration.
/// </summary>
public sealed class ConfigurationResult
{
    public ConfigurationResult(
        RelayConfiguration? configuration,
        IReadOnlyList<ConfigurationError> errors,
        IReadOnlyList<ConfigurationWarning> warnings,
        IReadOnlyList<ResolvedVariable> values)
    {
        Configuration = errors.Count == 0 ? configuration : null;
        Errors = errors;
        Warnings = warnings;
        Values = values;
    }

    /// <summary>The typed configuration; null when there are errors.</summary>
    public RelayConfiguration? Configuration { get; }

    public IReadOnlyList<ConfigurationError> Errors { get; }

    public IReadOnlyList<ConfigurationWarning> Warnings { get; }

    /// <summary>Every registry variable with its resolved (redacted) value, in registry order.</summary>
    public IReadOnlyList<ResolvedVariable> Values { get; }

    [MemberNotNullWhen(true, nameof(Configuration))]
    public bool IsValid => Errors.Count == 0 && Configuration is not null;
}
