using System.Globalization;
using MailRelay.Configuration.Syntax;

namespace MailRelay.Configuration;

/// <summary>
/// Reads registry variables from one environment snapshot, collecting every error and warning instead of
/// stopping at the first, and remembering what each variable resolved to for <c>config check</c>.
/// </summary>
internal sealed class EnvironmentReader
{
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly List<ConfigurationError> _errors = [];
    private readonly List<ConfigurationWarning> _warnings = [];
    private readonly Dictionary<string, ResolvedVariable> _resolved = new(StringComparer.Ordinal);

    public EnvironmentReader(IReadOnlyDictionary<string, string?> environment)
    {
        _environment = environment;
    }

    public IReadOnlyList<ConfigurationError> Errors => _errors;

    public IReadOnlyList<ConfigurationWarning> Warnings => _warnings;

    /// <summary>The value set for <paramref name="name"/>, or null when it is unset or blank (blank means "use the default").</summary>
    public string? Given(string name)
    {
        Lookup(name);
        return _environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
    }

    public void Error(string name, string message)
    {
        Lookup(name);
        _errors.Add(new ConfigurationError(name, message));
    }

    public void Warn(string name, string message)
    {
        _warnings.Add(new ConfigurationWarning(name, message));
    }

    public bool HasError(string name) => _errors.Any(e => string.Equals(e.Variable, name, StringComparison.Ordinal));

    /// <summary>Records what a variable with a computed default resolved to.</summary>
    public void Resolve(string name, string text, bool fromDefault)
    {
        var variable = Lookup(name);
        var display = variable.IsSecret && text.Length > 0 ? ConfigurationReport.Redacted : text;
        _resolved[name] = new ResolvedVariable(variable, display, fromDefault);
    }

    /// <summary>
    /// Parses a variable with a literal default. A bad value is reported and the default is used in its place,
    /// so later checks still run and every error comes out together.
    /// </summary>
    public T Read<T>(string name, ValueParser<T> parser, string? computedDefault = null)
    {
        var variable = Lookup(name);
        var given = Given(name);
        var defaultText = variable.LiteralDefault ?? computedDefault
            ?? throw new InvalidOperationException($"{name} has no literal default; pass the computed one.");
        Resolve(name, given ?? defaultText, fromDefault: given is null);
        if (given is not null)
        {
            if (parser(given, out var value, out var error))
            {
                return value;
            }

            Error(name, error);
        }

        return parser(defaultText, out var fallback, out var defaultError)
            ? fallback
            : throw new InvalidOperationException($"The default of {name} does not parse: {defaultError}");
    }

    public bool ReadBoolean(string name) => Read<bool>(name, BooleanSyntax.TryParse);

    public TimeSpan ReadPositiveDuration(string name) => Read<TimeSpan>(name, DurationSyntax.TryParsePositive);

    public int ReadInteger(string name, int min, int max) => Read(name, (string text, out int value, out string error) =>
    {
        error = string.Empty;
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        error = $"'{text}' is not a whole number from {min} to {max}.";
        return false;
    });

    public long ReadSize(string name, long min, long max) => Read(name, (string text, out long value, out string error) =>
    {
        if (!SizeSyntax.TryParse(text, out value, out error))
        {
            return false;
        }

        if (value < min || value > max)
        {
            error = $"'{text}' is outside {min} to {max} bytes.";
            return false;
        }

        return true;
    });

    /// <summary>Reads one of a fixed set of words (any case).</summary>
    public T ReadChoice<T>(string name, IReadOnlyDictionary<string, T> choices, string? computedDefault = null) => Read(name, (string text, out T value, out string error) =>
    {
        error = string.Empty;
        foreach (var (word, choice) in choices)
        {
            if (string.Equals(word, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = choice;
                return true;
            }
        }

        value = default!;
        error = $"'{text}' is not one of: {string.Join(", ", choices.Keys)}.";
        return false;
    }, computedDefault);

    /// <summary>The resolved values in registry order; a variable nobody resolved shows as unset.</summary>
    public IReadOnlyList<ResolvedVariable> ResolvedValues() =>
        ConfigurationRegistry.Variables
            .Select(v => _resolved.TryGetValue(v.Name, out var resolved) ? resolved : new ResolvedVariable(v, string.Empty, FromDefault: true))
            .ToArray();

    /// <summary>Names read so far; a test uses it to prove the loader reads every registry variable.</summary>
    public IReadOnlyCollection<string> ResolvedNames => _resolved.Keys;

    private static ConfigurationVariable Lookup(string name) =>
        ConfigurationRegistry.Find(name) ?? throw new InvalidOperationException($"{name} is not in the configuration registry.");
}
