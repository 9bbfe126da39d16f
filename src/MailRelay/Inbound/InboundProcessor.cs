using System.Net;
using MailRelay.Bounces;
using MailRelay.Configuration;
using MailRelay.Events;
using MailRelay.Inbound.Dmarc;
using MailRelay.Queue;
using MailRelay.Smtp.Protocol;
using MimeKit;

namespace MailRelay.Inbound;

/// <summary>
/// What becomes of a message to the feedback addresses, decided at the end of DATA (docs/inbound.md): verified
/// (IMessageAuthenticator; its refusal is the reply), then a DSN to a VERP address becomes <c>bounced</c>/<c>delayed</c>
/// events, an ARF report <c>complained</c> events, a DMARC aggregate report metrics (and a JSON file), and anything
/// else is forwarded to INBOUND_FORWARD_TO or kept under DATA_DIR/inbound. The 250 comes only once that outcome is
/// durable; a transient failure answers 451 and leaves nothing half done that a retry would not repeat the same way
/// (event ids are derived from the message, so a retried DSN repeats its events' ids).
/// </summary>
public sealed partial class InboundProcessor
{
    private readonly InboundSettings _settings;
    private readonly string _clientIdHeader;
    private readonly IBounceAddressVerifier? _verifier;
    private readonly IMessageAuthenticator? _authenticator;
    private readonly IEventOutbox? _outbox;
    private readonly InboundForwarder? _forwarder;
    private readonly InboundStore _store;
    private readonly DmarcReportStore? _dmarcStore;
    private readonly DmarcMetrics _dmarcMetrics;
    private readonly InboundMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<InboundProcessor> _logger;

    /// <param name="clientIdHeader">The header carrying the client's own id for a message (EVENTS_CLIENT_ID_HEADER).</param>
    /// <param name="verifier">Checks VERP return paths; null when none are issued.</param>
    /// <param name="authenticator">SPF/DKIM/DMARC verification; null when it is not available.</param>
    /// <param name="outbox">The event outbox; null when there is none (then DSNs and complaints are forwarded or kept).</param>
    /// <param name="forwarder">INBOUND_FORWARD_TO; null = keep in <paramref name="store"/>.</param>
    public InboundProcessor(
        InboundSettings settings,
        string clientIdHeader,
        IBounceAddressVerifier? verifier,
        IMessageAuthenticator? authenticator,
        IEventOutbox? outbox,
        InboundForwarder? forwarder,
        InboundStore store,
        DmarcMetrics dmarcMetrics,
        InboundMetrics metrics,
        TimeProvider time,
        ILogger<InboundProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _clientIdHeader = clientIdHeader;
        _verifier = verifier;
        _authenticator = authenticator;
        _outbox = outbox;
        _forwarder = forwarder;
        _store = store;
        _dmarcStore = settings.DmarcReports.Store ? new DmarcReportStore(settings.DmarcReports.StorePath) : null;
        _dmarcMetrics = dmarcMetrics;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public static SmtpReply TemporaryFailure => new(451, "4.3.0", "Error: could not process the message, try again later");

    public static SmtpReply KeptFilesFull => new(452, "4.2.2", "Feedback mailbox full, try again later");

    /// <summary>Counts a message whose content could not even be received to disk.</summary>
    public void CountFailure() => _metrics.Count(InboundKind.Other, InboundOutcome.Failed);

    public async Task<SmtpReply> ProcessAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = InboundKind.Other;
        try
        {
            await using var stream = new FileStream(message.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
            MimeMessage? parsed = null;
            try
            {
                parsed = await MimeMessage.LoadAsync(stream, persistent: true, cancellationToken);
            }
            catch (FormatException)
            {
                // Not MIME enough to be a report: it is forwarded or kept for a person to read.
            }

            var report = parsed is null ? null : FindReport(parsed);
            var dmarc = parsed is not null && _settings.DmarcReports.Enabled && report is null ? DmarcReportExtractor.Find(parsed) : null;
            kind = report?.ReportType?.ToLowerInvariant() switch
            {
                "delivery-status" => InboundKind.Dsn,
                "feedback-report" => InboundKind.Arf,
                _ => dmarc is null ? InboundKind.Other : InboundKind.DmarcReport,
            };

            string? authenticationResults = null;
            var quarantine = false;
            if (_authenticator is not null)
            {
                await using var copy = new FileStream(message.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
                var verdict = await _authenticator.VerifyAsync(
                    new AuthenticationRequest(message.ClientAddress ?? IPAddress.None, message.HeloName, message.Sender, copy), cancellationToken);
                if (verdict.Refusal is { } refusal)
                {
                    _metrics.Count(kind, InboundOutcome.Refused);
                    LogRefused(_logger, message.Id, message.ClientAddress, message.Sender, verdict.Spf, verdict.Dkim, verdict.Dmarc, refusal);
                    return refusal;
                }

                authenticationResults = verdict.AuthenticationResults;
                quarantine = verdict.Quarantine;
            }

            var now = _time.GetUtcNow();
            IReadOnlyList<RelayEvent>? events = kind switch
            {
                InboundKind.Dsn when _outbox is not null => DeliveryReportEvents.From(message, report!, _clientIdHeader, Verify, now),
                InboundKind.Arf when _outbox is not null => ComplaintReportEvents.From(message, report!, _clientIdHeader, Verify, now),
                _ => null,
            };
            if (events is not null)
            {
                if (events.Count > 0)
                {
                    await _outbox!.AppendAsync(events, cancellationToken);
                }

                _metrics.Count(kind, InboundOutcome.Processed);
                var told = string.Join(",", events.Select(e => $"{e.Type}:{e.QueueId ?? "-"}"));
                LogProcessed(_logger, message.Id, kind, message.Sender, message.Recipients, told);
                return new SmtpReply(250, "2.0.0", $"Ok: processed as {message.Id}");
            }

            if (dmarc is { } attachment && ProcessDmarcReport(message, attachment.Part, attachment.Format, now))
            {
                _metrics.Count(kind, InboundOutcome.Processed);
                return new SmtpReply(250, "2.0.0", $"Ok: processed as {message.Id}");
            }

            return await ForwardOrKeepAsync(message, kind, authenticationResults, quarantine, now, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SpoolException or UnauthorizedAccessException or TimeoutException)
        {
            _metrics.Count(kind, InboundOutcome.Failed);
            LogFailed(_logger, message.Id, kind, ex);
            return TemporaryFailure;
        }
    }

    /// <summary>True when the report was used (parsed or too old); false when malformed (then it is forwarded or kept).</summary>
    private bool ProcessDmarcReport(InboundMessage message, MimePart part, DmarcReportFormat format, DateTimeOffset now)
    {
        DmarcReport report;
        try
        {
            report = DmarcReportExtractor.Read(part, format);
        }
        catch (DmarcReportException ex)
        {
            _dmarcMetrics.Malformed();
            LogDmarcMalformed(_logger, message.Id, message.Sender, ex.Message);
            return false;
        }

        var maxAge = _settings.DmarcReports.MaxAge;
        if (maxAge > TimeSpan.Zero && report.End < now - maxAge)
        {
            _dmarcMetrics.TooOld();
            LogDmarcTooOld(_logger, message.Id, report.OrgName, report.ReportId, report.End);
            return true;
        }

        // Stored before it is counted: a failure here is a 451, and the retry counts it once.
        var stored = _dmarcStore?.Save(report);
        _dmarcMetrics.Parsed(report);
        var total = report.Records.Sum(r => r.Count);
        LogDmarcParsed(_logger, message.Id, report.OrgName, report.ReportId, report.Domain, report.Records.Count, total, stored ?? "-");
        return true;
    }

    /// <summary>
    /// Forwards to INBOUND_FORWARD_TO, or keeps under DATA_DIR/inbound: always kept when the verification put it in
    /// quarantine (INBOUND_DMARC_QUARANTINE_ON_FAIL), so mail that fails its domain's DMARC is never passed on.
    /// </summary>
    private async Task<SmtpReply> ForwardOrKeepAsync(InboundMessage message, InboundKind kind, string? authenticationResults, bool quarantine, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_forwarder is not null && !quarantine)
        {
            var queueId = await _forwarder.ForwardAsync(message, kind, authenticationResults, now, cancellationToken);
            _metrics.Count(kind, InboundOutcome.Forwarded);
            LogForwarded(_logger, message.Id, kind, message.Sender, message.Recipients, queueId);
            return new SmtpReply(250, "2.0.0", $"Ok: forwarded as {queueId}");
        }

        if (!_store.HasRoom(new FileInfo(message.Path).Length))
        {
            _metrics.Count(kind, InboundOutcome.Refused);
            LogStoreFull(_logger, message.Id, _store.Directory);
            return KeptFilesFull;
        }

        var path = await _store.KeepAsync(message, authenticationResults, cancellationToken);
        _metrics.Count(kind, InboundOutcome.Kept);
        LogKept(_logger, message.Id, kind, message.Sender, message.Recipients, path);
        return new SmtpReply(250, "2.0.0", $"Ok: kept as {message.Id}");
    }

    private static MultipartReport? FindReport(MimeMessage message) =>
        message.Body as MultipartReport ?? (message.Body as Multipart)?.OfType<MultipartReport>().FirstOrDefault();

    /// <summary>The queue id and recipient of a VERP return path, when it is one of ours and in date.</summary>
    private BounceAddressCheck? Verify(string? address)
    {
        if (_verifier is null || string.IsNullOrEmpty(address) || !_verifier.IsBounceAddress(address))
        {
            return null;
        }

        var check = _verifier.Verify(address, _time.GetUtcNow());
        return check.Status == BounceAddressStatus.Valid && check.QueueId is not null ? check : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Id}: inbound {Kind} from=<{Sender}> to=<{Recipients}> processed: {Events}")]
    private static partial void LogProcessed(ILogger logger, string id, InboundKind kind, string sender, IReadOnlyList<string> recipients, string events);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Id}: inbound {Kind} from=<{Sender}> to=<{Recipients}> forwarded as {QueueId}")]
    private static partial void LogForwarded(ILogger logger, string id, InboundKind kind, string sender, IReadOnlyList<string> recipients, string queueId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Id}: inbound {Kind} from=<{Sender}> to=<{Recipients}> kept as {Path}")]
    private static partial void LogKept(ILogger logger, string id, InboundKind kind, string sender, IReadOnlyList<string> recipients, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Id}: inbound message refused client={Client} from=<{Sender}> spf={Spf} dkim={Dkim} dmarc={Dmarc}; answered {Reply}")]
    private static partial void LogRefused(ILogger logger, string id, IPAddress? client, string sender, string spf, string dkim, string dmarc, SmtpReply reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Id}: inbound mail directory {Directory} is at its bound; answered 452 4.2.2")]
    private static partial void LogStoreFull(ILogger logger, string id, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Id}: inbound {Kind} not processed; answered 451 4.3.0")]
    private static partial void LogFailed(ILogger logger, string id, InboundKind kind, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Id}: DMARC report from {Reporter} id={ReportId} domain={Domain} records={Records} messages={Messages} stored={Stored}")]
    private static partial void LogDmarcParsed(ILogger logger, string id, string reporter, string reportId, string domain, int records, long messages, string stored);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Id}: DMARC report from {Reporter} id={ReportId} ended {End:u}, older than DMARC_REPORTS_MAX_AGE; counted only")]
    private static partial void LogDmarcTooOld(ILogger logger, string id, string reporter, string reportId, DateTimeOffset end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Id}: malformed DMARC report from=<{Sender}>: {Problem}")]
    private static partial void LogDmarcMalformed(ILogger logger, string id, string sender, string problem);
}
