using System.Globalization;
using MailRelay.Configuration;
using MailRelay.Configuration.Syntax;
using MailRelay.Queue;
using MailRelay.RateLimiting;

namespace MailRelay.Cli;

/// <summary>
/// <c>MailRelay rate show</c> and <c>rate reset PROVIDER</c>. Both read the pacing state the daemon saves every few
/// seconds (<c>DATA_DIR/pacing/state.json</c>), so they work with the daemon running or not. A reset is handed to a
/// running daemon through <c>DATA_DIR/pacing/control/</c> (the daemon holds the queue lock); with no daemon the CLI
/// takes the lock and edits the state file itself. Exit codes: 0 done (or handed over), 1 failed, 2 usage error.
/// </summary>
public static class RateCommands
{
    public static int RunShow(RelayConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunShow(PacingOptions.FromConfiguration(configuration), TimeProvider.System, stdout, stderr);
    }

    public static int RunReset(RelayConfiguration configuration, string providerOrDomain, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return RunReset(PacingOptions.FromConfiguration(configuration), providerOrDomain, TimeProvider.System, stdout, stderr);
    }

    internal static int RunShow(PacingOptions options, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var path = PacingStateFile.PathOf(options.DataDirectory);
        if (!TryRead(path, stderr, out var state))
        {
            return CommandLine.ExitError;
        }

        if (state is null)
        {
            stdout.WriteLine($"no pacing state saved yet ({path})");
            return CommandLine.ExitOk;
        }

        var now = time.GetUtcNow();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pacing state saved {state.SavedAt:yyyy-MM-dd HH:mm:ss}Z ({Age(now - state.SavedAt)} ago), {state.Learned.Count} learned domains"));
        PacingStateTable.Write(state, WarmupScheduleOf(options), now, stdout);
        return CommandLine.ExitOk;
    }

    internal static int RunReset(PacingOptions options, string providerOrDomain, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerOrDomain);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!DomainNameSyntax.TryParse(providerOrDomain, requireDot: true, out var name, out var error))
        {
            stderr.WriteLine($"rate reset: {error}");
            return CommandLine.ExitUsage;
        }

        var path = PacingStateFile.PathOf(options.DataDirectory);
        try
        {
            using var queueLock = QueueLock.TryAcquire(options.DataDirectory);
            if (!TryRead(path, stderr, out var state))
            {
                return CommandLine.ExitError;
            }

            var provider = ResolveProvider(name, state);
            if (queueLock is null)
            {
                PacingControlDirectory.WriteReset(options.DataDirectory, provider, time.GetUtcNow());
                stdout.WriteLine($"{provider}: reset requested from the running daemon");
                return CommandLine.ExitOk;
            }

            // No daemon runs, and none can start while we hold the lock: change the file directly.
            if (state?.Find(provider) is null)
            {
                stdout.WriteLine($"{provider}: no saved pacing state, nothing to reset");
                return CommandLine.ExitOk;
            }

            PacingStateFile.Write(path, state.Without(provider));
            stdout.WriteLine($"{provider}: pacing state reset");
            return CommandLine.ExitOk;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rate reset: {ex.Message}");
            return CommandLine.ExitError;
        }
    }

    /// <summary>A domain names its provider (<c>gmail.com</c> → <c>google.com</c>), also through the learned MX cache.</summary>
    private static ProviderKey ResolveProvider(string name, PacingState? state)
    {
        var resolver = new ProviderResolver(PublicSuffixList.LoadEmbedded(icannOnly: true));
        foreach (var learned in state?.Learned ?? [])
        {
            resolver.Remember(learned.Domain, new ProviderKey(learned.Provider));
        }

        return resolver.ForDomain(name);
    }

    private static bool TryRead(string path, TextWriter stderr, out PacingState? state)
    {
        try
        {
            state = PacingStateFile.Read(path);
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"cannot read {path}: {ex.Message}");
            state = null;
            return false;
        }
    }

    private static WarmupSchedule? WarmupScheduleOf(PacingOptions options) =>
        options.Warmup is { Enabled: true, StartDate: { } start } ? new WarmupSchedule(start, options.Warmup.DailyCaps) : null;

    private static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 0 } => "0s",
        { TotalMinutes: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalSeconds}s"),
        { TotalHours: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m"),
        { TotalDays: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d"),
    };
}
