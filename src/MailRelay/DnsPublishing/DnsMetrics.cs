using Prometheus;

namespace MailRelay.DnsPublishing;

/// <summary>
/// The publisher's metrics: where each record set stands after the last run, when a run last succeeded, the
/// failures and the changes made. Every state label is always present, so an alert on one never lacks a series.
/// </summary>
public sealed class DnsMetrics
{
    private readonly Gauge _records;
    private readonly Gauge _lastSuccess;
    private readonly Counter _errors;
    private readonly Counter _changes;
    private int _lastKnownSets;

    public DnsMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _records = factory.CreateGauge("mailrelay_dns_records",
            "Record sets the relay publishes, by state after the last run (in_sync, pending, conflict, error).", "state");
        _lastSuccess = factory.CreateGauge("mailrelay_dns_last_success_timestamp_seconds",
            "Unix time of the last publishing run that read (and if needed changed) every record; 0 before the first.");
        _errors = factory.CreateCounter("mailrelay_dns_errors_total", "Publishing runs that failed (address detection, provider or key errors).");
        _changes = factory.CreateCounter("mailrelay_dns_changes_total", "Record changes made at the provider, by action.", "action");
        foreach (var state in Enum.GetValues<DnsRecordState>())
        {
            _records.WithLabels(Label(state)).Set(0);
        }

        foreach (var action in Enum.GetValues<DnsChangeAction>())
        {
            _changes.WithLabels(action.ToString().ToLowerInvariant());
        }
    }

    public void RunSucceeded(DnsPublishResult result, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(result);

        // The time first: a scrape that sees the new states always sees the success they came from.
        _lastSuccess.Set(now.ToUnixTimeMilliseconds() / 1000.0);
        foreach (var state in Enum.GetValues<DnsRecordState>())
        {
            _records.WithLabels(Label(state)).Set(result.Count(state));
        }

        if (result.Applied)
        {
            foreach (var change in result.Changes)
            {
                _changes.WithLabels(change.Action.ToString().ToLowerInvariant()).Inc();
            }
        }

        _lastKnownSets = result.Records.Count;
    }

    /// <summary>
    /// Every record set of the last run now counts as <c>error</c> (their state is unknown); before any run has
    /// planned, one, so a relay that has never published shows an error rather than nothing.
    /// </summary>
    public void RunFailed()
    {
        _errors.Inc();
        foreach (var state in Enum.GetValues<DnsRecordState>())
        {
            _records.WithLabels(Label(state)).Set(0);
        }

        _records.WithLabels(Label(DnsRecordState.Error)).Set(Math.Max(1, _lastKnownSets));
    }

    public double Records(DnsRecordState state) => _records.WithLabels(Label(state)).Value;

    public double Errors => _errors.Value;

    public double LastSuccess => _lastSuccess.Value;

    public double Changes(DnsChangeAction action) => _changes.WithLabels(action.ToString().ToLowerInvariant()).Value;

    public static string Label(DnsRecordState state) => state switch
    {
        DnsRecordState.InSync => "in_sync",
        DnsRecordState.Pending => "pending",
        DnsRecordState.Conflict => "conflict",
        _ => "error",
    };
}
