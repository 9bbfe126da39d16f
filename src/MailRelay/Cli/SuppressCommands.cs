using System.Globalization;
using MailRelay.Configuration;
using MailRelay.Suppression;

namespace MailRelay.Cli;

/// <summary>
/// <c>MailRelay suppress list</c> and <c>suppress remove ADDRESS</c>: they read and change DATA_DIR/suppression
/// directly, the same files the daemon's RCPT check reads, so they work while it runs (docs/bounces.md).
/// </summary>
internal static class SuppressCommands
{
    /// <summary>One line per recipient in force (address, reason, since, until) and a count; exit 0.</summary>
    public static int RunList(RelayConfiguration configuration, TextWriter stdout, TimeProvider time)
    {
        var entries = new SuppressionStore(configuration.DataDirectory, time).List();
        foreach (var entry in entries)
        {
            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{entry.Address}  {SuppressionMetrics.Label(entry.Reason)}  since {entry.Since:yyyy-MM-dd HH:mm:ss}Z  until {entry.Until:yyyy-MM-dd HH:mm:ss}Z"));
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-- {entries.Count} suppressed recipient{(entries.Count == 1 ? string.Empty : "s")}"));
        return CommandLine.ExitOk;
    }

    /// <summary>Exit 0 when <paramref name="address"/> was suppressed and is no longer; 1 when it was not suppressed.</summary>
    public static int RunRemove(RelayConfiguration configuration, string address, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        if (!new SuppressionStore(configuration.DataDirectory, time).Remove(address))
        {
            stderr.WriteLine($"MailRelay suppress remove: <{address}> is not suppressed.");
            return CommandLine.ExitError;
        }

        stdout.WriteLine($"<{address}> removed from the suppression list.");
        return CommandLine.ExitOk;
    }
}
