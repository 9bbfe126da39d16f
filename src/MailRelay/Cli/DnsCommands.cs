using MailRelay.Configuration;
using MailRelay.DnsPublishing;

namespace MailRelay.Cli;

/// <summary>
/// <c>dns plan</c>, <c>dns apply</c> and <c>dns status</c>: the publisher's run from the command line, with the same
/// configuration, keys and provider as the daemon. Exit codes: 0 in sync, 3 changes pending (or not yet visible),
/// 4 only conflicts left (records that are not ours stand in the way: nothing <c>apply</c> may do), 1 an error.
/// </summary>
public static class DnsCommands
{
    public const int ExitPending = 3;
    public const int ExitConflicts = 4;

    public static async Task<int> RunPlanAsync(DnsPublisher publisher, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(stdout);
        if (RefuseManual(publisher, stderr))
        {
            return CommandLine.ExitError;
        }

        var result = await RunAsync(publisher, apply: false, stderr, cancellationToken);
        if (result is null)
        {
            return CommandLine.ExitError;
        }

        WriteHeader(publisher, result, stdout);
        WriteRecords(result, stdout);
        if (result.Changes.Count > 0)
        {
            stdout.WriteLine($"; {result.Changes.Count} changes to make (`MailRelay dns apply` makes them):");
            WriteChanges(result.Changes, stdout);
            return ExitPending;
        }

        stdout.WriteLine("; no changes to make");
        return result.Count(DnsRecordState.Conflict) > 0 ? ExitConflicts : CommandLine.ExitOk;
    }

    public static async Task<int> RunApplyAsync(DnsPublisher publisher, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(stdout);
        if (RefuseManual(publisher, stderr))
        {
            return CommandLine.ExitError;
        }

        var result = await RunAsync(publisher, apply: true, stderr, cancellationToken);
        if (result is null)
        {
            return CommandLine.ExitError;
        }

        WriteHeader(publisher, result, stdout);
        stdout.WriteLine(result.Changes.Count == 0 ? "; nothing to change" : $"; {result.Changes.Count} changes made:");
        WriteChanges(result.Changes, stdout);
        WriteRecords(result, stdout);
        return result.Count(DnsRecordState.Conflict) > 0 ? ExitConflicts
            : result.Count(DnsRecordState.Pending) > 0 ? ExitPending
            : CommandLine.ExitOk;
    }

    public static async Task<int> RunStatusAsync(
        DnsPublisher publisher, PublishedRecordResolver resolver, RelayConfiguration configuration, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        var result = await RunAsync(publisher, apply: false, stderr, cancellationToken);
        if (result is null)
        {
            return CommandLine.ExitError;
        }

        WriteHeader(publisher, result, stdout);
        var manual = publisher.Provider is ManualDnsProvider;
        var allGood = manual || (result.Changes.Count == 0 && result.Count(DnsRecordState.Conflict) == 0);
        stdout.WriteLine($"{"provider",-9} {"resolves",-8} record");
        // Resolvers are asked about every record at once: one slow or silent server costs one timeout, not one per record.
        var checks = await Task.WhenAll(result.Desired.Select(set => resolver.CheckAsync(set, cancellationToken)));
        var ptrs = await Task.WhenAll(result.Addresses.Select(a => resolver.CheckPtrAsync(a, configuration.HostName, cancellationToken)));
        foreach (var check in checks)
        {
            var set = check.Set;
            var state = result.Records.FirstOrDefault(r => r.Name == set.Name && r.Kind == set.Kind)?.State ?? DnsRecordState.Pending;
            allGood &= check.Visible;
            var answer = check.Visible ? string.Empty : $"   (resolvers answer: {(check.Answer.Count == 0 ? "nothing" : string.Join(" | ", check.Answer))})";
            foreach (var record in set.Records)
            {
                var label = manual ? "by hand" : DnsMetrics.Label(state);
                stdout.WriteLine($"{label,-9} {(check.Visible ? "yes" : "no"),-8} {DnsZoneText.Line(record)}{answer}");
            }
        }

        foreach (var ptr in ptrs)
        {
            allGood &= ptr.NamesHost;
            var names = ptr.Names.Count == 0 ? "no PTR" : string.Join(", ", ptr.Names);
            stdout.WriteLine(ptr.NamesHost
                ? $"PTR of {ptr.Address}: {names} (names MAIL_HOSTNAME, as receivers require)"
                : $"PTR of {ptr.Address}: {names}; it must name {configuration.HostName} (ask the owner of the address, e.g. the cloud provider, to set it)");
        }

        return allGood ? CommandLine.ExitOk : ExitPending;
    }

    private static bool RefuseManual(DnsPublisher publisher, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        if (publisher.Provider is not ManualDnsProvider)
        {
            return false;
        }

        stderr.WriteLine("DNS_PROVIDER is none: the relay publishes nothing. `MailRelay dkim show` prints the records to publish by hand; `MailRelay dns status` checks them.");
        return true;
    }

    private static async Task<DnsPublishResult?> RunAsync(DnsPublisher publisher, bool apply, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            return await publisher.RunAsync(apply, cancellationToken);
        }
        catch (Exception e) when (DnsPublisher.IsRunFailure(e))
        {
            await stderr.WriteLineAsync($"DNS {publisher.Provider.Name}: {e.Message}");
            return null;
        }
    }

    private static void WriteHeader(DnsPublisher publisher, DnsPublishResult result, TextWriter stdout)
    {
        var addresses = result.Addresses.Count == 0
            ? "not needed"
            : $"{string.Join(", ", result.Addresses)} (from {publisher.AddressSource?.Description})";
        stdout.WriteLine($"; DNS provider {publisher.Provider.Name}; public addresses {addresses}");
        if (publisher.Provider is ManualDnsProvider)
        {
            return;
        }

        stdout.WriteLine($"; record sets: {result.Count(DnsRecordState.InSync)} in sync, {result.Count(DnsRecordState.Pending)} pending, {result.Count(DnsRecordState.Conflict)} in conflict");
    }

    private static void WriteRecords(DnsPublishResult result, TextWriter stdout)
    {
        foreach (var status in result.Records)
        {
            var label = DnsMetrics.Label(status.State);
            var detail = status.Detail is null ? string.Empty : $"   ; {status.Detail}";
            var shown = status.Desired.Count > 0 ? status.Desired : status.Published;
            foreach (var value in shown)
            {
                var record = new DnsRecord(status.Name, DesiredRecordSet.TypeOf(status.Kind), value, status.Ttl);
                stdout.WriteLine($"{label,-9} {DnsZoneText.Line(record)}{detail}");
            }
        }
    }

    private static void WriteChanges(IReadOnlyList<DnsChange> changes, TextWriter stdout)
    {
        foreach (var change in changes)
        {
            stdout.WriteLine(change.Action switch
            {
                DnsChangeAction.Create => $"+ {DnsZoneText.Line(change.Replacement!)}",
                DnsChangeAction.Delete => $"- {DnsZoneText.Line(change.Existing!)}",
                _ => $"~ {DnsZoneText.Line(change.Existing!)}  ->  {DnsZoneText.Data(change.Replacement!)} (TTL {change.Replacement!.Ttl})",
            });
        }
    }
}
