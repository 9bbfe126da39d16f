using MailRelay.Configuration;
using MailRelay.Dns;
using MailRelay.Dnsbl;
using MailRelay.DnsPublishing;

namespace MailRelay.Cli;

/// <summary>
/// <c>dnsbl check</c>: one blocklist check now, with the daemon's configuration (DNSBL_*, DNS_SERVERS, and the address
/// detection of DNS publishing), printed as a table. It runs even when the daemon's monitor is off, as long as there is
/// something to check. Exit codes: 0 clean, 3 listed on at least one list, 4 nothing listed but some checks got no
/// answer (a timeout, a refused query), 1 nothing to check or a configuration error.
/// </summary>
public static class DnsblCommand
{
    public const int ExitListed = 3;
    public const int ExitErrors = 4;

    public static async Task<int> RunAsync(RelayConfiguration configuration, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stderr);
        var settings = configuration.Dnsbl;
        if (settings.AddressOrigin != DnsblAddressOrigin.Detected)
        {
            return await RunAsync(configuration, null, stdout, stderr, cancellationToken);
        }

        DnsPublishingComponents components;
        try
        {
            components = DnsPublishingComponents.Create(configuration, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        }
        catch (DnsPublishing.Kubernetes.KubernetesConnectionException e)
        {
            await stderr.WriteLineAsync($"dnsbl check: the sending address cannot be detected: {e.Message}");
            return CommandLine.ExitError;
        }

        using (components)
        {
            return await RunAsync(configuration, components.Publisher.AddressSource, stdout, stderr, cancellationToken);
        }
    }

    /// <summary>The check with a given address detector (the daemon's, or a test's).</summary>
    public static async Task<int> RunAsync(
        RelayConfiguration configuration, IPublicAddressSource? addresses, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var settings = configuration.Dnsbl;
        var checksAddresses = settings.AddressOrigin != DnsblAddressOrigin.None && settings.IpLists.Count > 0;
        var checksDomains = settings.Domains.Count > 0 && settings.DomainLists.Count > 0;
        if (!checksAddresses && !checksDomains)
        {
            await stderr.WriteLineAsync($"dnsbl check: nothing to check: {settings.OffReason ?? "no target on any list"}.");
            return CommandLine.ExitError;
        }

        if (!settings.Enabled)
        {
            await stdout.WriteLineAsync($"; the daemon does not check blocklists: {settings.OffReason}");
        }

        var checker = new DnsblChecker(DnsLookupClientFactory.Create(configuration.Delivery.DnsServers, DnsLookupClientFactory.DefaultTimeout));
        var report = await DnsblMonitor.RunOnceAsync(settings, addresses, checker, TimeProvider.System, cancellationToken);
        if (report.AddressProblem is { } problem)
        {
            await stdout.WriteLineAsync($"; the sending addresses are unknown, no IP list was asked: {problem}");
        }

        WriteTable(report, stdout);
        var listed = report.Count(DnsblState.Listed);
        await stdout.WriteLineAsync($"; {report.Results.Count} checks: {listed} listed, {report.Count(DnsblState.Clean)} clean, {report.Count(DnsblState.Error)} without an answer");
        return listed > 0 ? ExitListed : report.HasErrors ? ExitErrors : CommandLine.ExitOk;
    }

    private static void WriteTable(DnsblReport report, TextWriter stdout)
    {
        string[] header = ["target", "list", "state", "answer", "reason"];
        var rows = report.Results.Select(r => new[]
        {
            r.Target,
            r.List.Name,
            r.State switch
            {
                DnsblState.Listed => "listed",
                DnsblState.Clean => "clean",
                _ => "error",
            },
            r.State == DnsblState.Clean ? "-" : r.Answer,
            r.Error is { } error ? DnsblMetrics.Label(error) + (r.Reason is null ? string.Empty : ": " + r.Reason) : r.Reason ?? "-",
        }).ToList();
        var widths = Enumerable.Range(0, 4).Select(i => rows.Select(r => r[i].Length).Append(header[i].Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            stdout.WriteLine(string.Join("  ", row.Take(4).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[4]);
        }
    }
}
