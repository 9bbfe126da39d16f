using MailRelay.Queue;
using MailRelay.Smtp.Connections;
using MailRelay.Smtp.Session;
using Prometheus;

namespace MailRelay.Observability;

/// <summary>
/// The daemon's Prometheus metrics, in a registry of its own (no process-wide static state), exported as
/// text on the admin listener's <c>/metrics</c>. Every metric is listed in docs/metrics.md.
/// </summary>
public sealed class RelayMetrics : ISmtpServerEvents
{
    private readonly Counter _sessions;
    private readonly Gauge _activeSessions;
    private readonly Counter _sessionOutcomes;
    private readonly Counter _commands;
    private readonly Counter _replies;
    private readonly Counter _messagesAccepted;
    private readonly Counter _messagesRefused;
    private readonly Counter _bytesAccepted;
    private readonly Histogram _commitTime;
    private readonly Counter _connectionsRefused;

    /// <summary>0.5 ms to 5 s: a group commit takes a few milliseconds; p99 is read against 50 ms.</summary>
    private static readonly double[] CommitBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    public RelayMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _sessions = factory.CreateCounter("mailrelay_smtp_sessions_total", "SMTP sessions started.");
        _activeSessions = factory.CreateGauge("mailrelay_smtp_sessions_active", "SMTP sessions in progress.");
        _sessionOutcomes = factory.CreateCounter(
            "mailrelay_smtp_sessions_ended_total", "SMTP sessions ended, by outcome.", "outcome");
        _commands = factory.CreateCounter("mailrelay_smtp_commands_total", "SMTP commands received, by verb.", "verb");
        _replies = factory.CreateCounter("mailrelay_smtp_replies_total", "SMTP replies sent, by code class.", "class");
        _messagesAccepted = factory.CreateCounter("mailrelay_smtp_messages_accepted_total", "Messages accepted into the spool.");
        _messagesRefused = factory.CreateCounter(
            "mailrelay_smtp_messages_refused_total", "Messages refused after DATA/BDAT, by reply code.", "code");
        _bytesAccepted = factory.CreateCounter("mailrelay_smtp_received_bytes_total", "Message bytes accepted into the spool.");
        _commitTime = factory.CreateHistogram(
            "mailrelay_smtp_commit_seconds",
            "Time from the end of an accepted message's content to its 250 (made durable in the spool).",
            new HistogramConfiguration { Buckets = CommitBuckets });
        _connectionsRefused = factory.CreateCounter(
            "mailrelay_smtp_connections_refused_total", "Connections refused before the greeting, by reason.", "reason");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Gauges and counters whose values live elsewhere (connection counts, spool statistics), read at
    /// scrape time rather than updated on every event.
    /// </summary>
    public void ObserveAtScrape(ConnectionLimitMiddleware connections, Spool spool)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        var open = factory.CreateGauge("mailrelay_smtp_connections", "SMTP connections open (after PROXY, counted by real client).");
        var clients = factory.CreateGauge("mailrelay_smtp_client_addresses", "Distinct client addresses with an open connection.");
        var batches = factory.CreateGauge(
            "mailrelay_spool_commit_batches", "Group commits done (each one directory fsync, or one segment fdatasync, for one or more messages).");
        var failed = factory.CreateGauge("mailrelay_spool_failed_messages", "Messages the spool failed to make durable (answered 451).");
        var segments = factory.CreateGauge("mailrelay_spool_segments", "Segment files the spool holds (16 MiB each on disk), the one being appended to included.");
        var copied = factory.CreateGauge(
            "mailrelay_spool_copied_forward_messages", "Messages copied out of a segment into a queue file of their own because they stayed (monotonic).");
        Registry.AddBeforeCollectCallback(() =>
        {
            open.Set(connections.CurrentConnections);
            clients.Set(connections.CurrentClientAddresses);
            batches.Set(spool.Statistics.CommitBatches);
            failed.Set(spool.Statistics.FailedMessages);
            segments.Set(spool.Segments?.SegmentCount ?? 0);
            copied.Set(spool.Segments?.CopiedForward ?? 0);
        });
    }

    /// <summary>
    /// Free space of the spool's file system, asked at each scrape (one statvfs), and the refusals for lack of
    /// it, by where in the transaction they happened.
    /// </summary>
    public void ObserveAtScrape(SpoolFreeSpace freeSpace)
    {
        ArgumentNullException.ThrowIfNull(freeSpace);
        var factory = Metrics.WithCustomRegistry(Registry);
        var free = factory.CreateGauge("mailrelay_spool_free_bytes", "Bytes available on the file system of DATA_DIR (-1: cannot be read).");
        var floor = factory.CreateGauge("mailrelay_spool_min_free_bytes", "SPOOL_MIN_FREE_SPACE: below this much free space no new mail is taken.");
        var refused = factory.CreateCounter(
            "mailrelay_spool_storage_refusals_total", "Messages refused for lack of disk space (452 4.3.1), by stage.", "stage");
        var atMail = refused.WithLabels("mail_from");
        var atData = refused.WithLabels("data");
        Registry.AddBeforeCollectCallback(() =>
        {
            free.Set(freeSpace.Refresh());
            floor.Set(freeSpace.MinimumFreeBytes);
            atMail.IncTo(freeSpace.RefusedAtMail);
            atData.IncTo(freeSpace.RefusedAtData);
        });
    }

    public void SessionStarted()
    {
        _sessions.Inc();
        _activeSessions.Inc();
    }

    public void SessionEnded(SessionOutcome outcome)
    {
        _activeSessions.Dec();
        _sessionOutcomes.WithLabels(OutcomeLabel(outcome)).Inc();
    }

    /// <summary>
    /// A connection closed before its SMTP session began (a PROXY header that did not arrive in time): it has
    /// an outcome, but it never counted as a started session.
    /// </summary>
    public void ConnectionEndedBeforeSession(SessionOutcome outcome) => _sessionOutcomes.WithLabels(OutcomeLabel(outcome)).Inc();

    public void CommandReceived(string verb) => _commands.WithLabels(verb).Inc();

    public void ReplySent(int code) => _replies.WithLabels(ClassLabel(code)).Inc();

    public void MessageAccepted(long bytes, TimeSpan commitTime)
    {
        _messagesAccepted.Inc();
        _bytesAccepted.Inc(bytes);
        _commitTime.Observe(commitTime.TotalSeconds);
    }

    public void MessageRefused(int code) => _messagesRefused.WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public void ConnectionRefused(string reason) => _connectionsRefused.WithLabels(reason).Inc();

    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    private static string ClassLabel(int code) => code switch
    {
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };

    private static string OutcomeLabel(SessionOutcome outcome) => outcome switch
    {
        SessionOutcome.Quit => "quit",
        SessionOutcome.ClientDisconnected => "disconnected",
        SessionOutcome.CommandTimeout => "command_timeout",
        SessionOutcome.AuthTimeout => "auth_timeout",
        SessionOutcome.SessionTimeout => "session_timeout",
        SessionOutcome.TlsTimeout => "tls_timeout",
        SessionOutcome.ProxyTimeout => "proxy_timeout",
        SessionOutcome.DataTimeout => "data_timeout",
        SessionOutcome.DataRateTooLow => "data_rate",
        SessionOutcome.TooManyErrors => "too_many_errors",
        SessionOutcome.Refused => "refused",
        SessionOutcome.ProxyHeaderRefused => "proxy_refused",
        SessionOutcome.ServerShutdown => "shutdown",
        SessionOutcome.TlsFailed => "tls_failed",
        SessionOutcome.ProtocolViolation => "protocol_violation",
        _ => "error",
    };
}
