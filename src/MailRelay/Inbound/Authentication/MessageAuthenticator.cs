using System.Globalization;
using DnsClient;
using MailRelay.Configuration;
using MailRelay.RateLimiting;
using MailRelay.Smtp.Protocol;
using MimeKit;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// SPF, DKIM and DMARC of one inbound message, the Authentication-Results field that records them, and the refusal rules
/// of INBOUND_SPF_* and INBOUND_DMARC_*. A temporary DNS failure never refuses: the message is accepted with temperror
/// recorded, as Postfix's policyd-spf does by default. The whole verification has one deadline (RFC 7208 §4.6.4 suggests
/// 20 seconds for SPF): what has not finished by then is temperror.
/// </summary>
public sealed class MessageAuthenticator : IMessageAuthenticator
{
    /// <summary>The time one message's checks may take together.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    private readonly InboundSecuritySettings _settings;
    private readonly string _authServId;
    private readonly AuthenticationDns _dns;
    private readonly SpfChecker _spf;
    private readonly DkimChecker _dkim;
    private readonly DmarcChecker _dmarc;
    private readonly InboundAuthenticationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _deadline;

    /// <param name="authServId">MAIL_HOSTNAME: who did the checks (RFC 8601 §2.5).</param>
    /// <param name="dns">The resolver of DNS_SERVERS.</param>
    /// <param name="suffixes">The whole Public Suffix List, for organizational domains.</param>
    public MessageAuthenticator(
        InboundSecuritySettings settings,
        string authServId,
        ILookupClient dns,
        PublicSuffixList suffixes,
        InboundAuthenticationMetrics metrics,
        TimeProvider time,
        ILogger<MessageAuthenticator> logger,
        Random? sampling = null,
        TimeSpan? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(authServId);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _settings = settings;
        _authServId = authServId;
        _dns = new AuthenticationDns(dns);
        _spf = new SpfChecker(dns);
        _dkim = new DkimChecker(_dns);
        _dmarc = new DmarcChecker(_dns, suffixes, sampling ?? Random.Shared);
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _deadline = deadline ?? DefaultDeadline;
    }

    public async Task<AuthenticationVerdict> VerifyAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var timeout = new CancellationTokenSource(_deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;

        SpfOutcome? spf = null;
        if (_settings.SpfEnabled)
        {
            spf = await _spf.CheckAsync(request.ClientAddress, request.HeloName, request.MailFrom, token);
        }

        MimeMessage? message = null;
        if (_settings.DkimEnabled || _settings.DmarcEnabled)
        {
            // Parsing reads the caller's stream, not DNS: the deadline is not for it.
            message = await ParseAsync(request.Message, cancellationToken);
        }

        IReadOnlyList<DkimSignatureOutcome> dkim = [];
        if (_settings.DkimEnabled && message is not null)
        {
            dkim = await _dkim.CheckAsync(message, token);
        }

        DmarcOutcome? dmarc = null;
        if (_settings.DmarcEnabled)
        {
            dmarc = message is null
                ? new DmarcOutcome(AuthResult.PermError, null, null, null, null)
                : await _dmarc.CheckAsync(message, spf, dkim, token);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (request.Message.CanSeek)
        {
            request.Message.Position = 0;
        }

        var dkimResult = !_settings.DkimEnabled ? AuthResult.None : message is null ? AuthResult.PermError : DkimChecker.Best(dkim);
        var (refusal, quarantine, disposition) = Decide(request, spf, dmarc);
        var field = Field(spf, dkim, dkimResult, dmarc, disposition);
        Count(spf, dkimResult, dmarc, refusal, quarantine);
        var action = refusal is not null ? refusal.Code.ToString(CultureInfo.InvariantCulture) + " " + refusal.EnhancedCode : quarantine ? "quarantine" : "accept";
        InboundAuthenticationLog.Verdict(
            _logger,
            request.ClientAddress,
            request.MailFrom,
            spf?.Result ?? "off",
            _settings.DkimEnabled ? dkimResult : "off",
            dmarc?.Result ?? "off",
            dmarc?.FromDomain ?? "-",
            dmarc?.RequestedPolicy ?? "-",
            action);
        return new AuthenticationVerdict(
            field,
            spf?.Result ?? AuthResult.None,
            dkimResult,
            dmarc?.Result ?? AuthResult.None,
            dmarc?.Result == AuthResult.Fail ? dmarc.RequestedPolicy : null,
            refusal,
            quarantine);
    }

    private (SmtpReply? Refusal, bool Quarantine, string Disposition) Decide(AuthenticationRequest request, SpfOutcome? spf, DmarcOutcome? dmarc)
    {
        if (spf is not null
            && ((spf.Result == AuthResult.Fail && _settings.SpfRejectFail) || (spf.Result == AuthResult.SoftFail && _settings.SpfRejectSoftfail)))
        {
            // RFC 7372 §3.2: X.7.23, SPF validation failed.
            var identity = spf.IsHelo ? "HELO name " + spf.Domain : spf.Domain;
            return (new SmtpReply(550, "5.7.23", $"SPF of {identity} does not permit {Address(request)} to send its mail"), false, DmarcRecord.PolicyReject);
        }

        if (dmarc is not { Result: AuthResult.Fail, AppliedPolicy: { } policy })
        {
            return (null, false, DmarcRecord.PolicyNone);
        }

        if (policy == DmarcRecord.PolicyReject && _settings.DmarcRejectOnFail)
        {
            return (new SmtpReply(550, "5.7.1", $"The message fails the DMARC policy of {dmarc.FromDomain}, which asks for rejection"), false, DmarcRecord.PolicyReject);
        }

        // A p=reject this relay does not enforce is quarantined instead when quarantine is on (RFC 7489 §6.6.4 leaves it to the receiver).
        return policy != DmarcRecord.PolicyNone && _settings.DmarcQuarantineOnFail
            ? (null, true, DmarcRecord.PolicyQuarantine)
            : (null, false, DmarcRecord.PolicyNone);
    }

    private string Field(SpfOutcome? spf, IReadOnlyList<DkimSignatureOutcome> dkim, string dkimResult, DmarcOutcome? dmarc, string disposition)
    {
        var field = new AuthenticationResultsField(_authServId);
        if (spf is not null)
        {
            field.Add("spf", spf.Result, null, (spf.IsHelo ? "smtp.helo" : "smtp.mailfrom", spf.Identity));
        }

        if (_settings.DkimEnabled)
        {
            if (dkim.Count == 0)
            {
                field.Add("dkim", dkimResult, dkimResult == AuthResult.None ? null : "message unreadable");
            }

            foreach (var signature in dkim)
            {
                field.Add("dkim", signature.Result, signature.Reason,
                    ("header.d", signature.Domain), ("header.s", signature.Selector), ("header.b", signature.SignaturePrefix));
            }
        }

        if (dmarc is not null)
        {
            var comment = dmarc.Record is { } record && dmarc.Result is AuthResult.Pass or AuthResult.Fail
                ? $"p={record.Policy} sp={record.SubdomainPolicy} dis={(dmarc.Result == AuthResult.Fail ? disposition : DmarcRecord.PolicyNone)}"
                : null;
            field.Add("dmarc", dmarc.Result, comment, ("header.from", dmarc.FromDomain));
        }

        return field.ToString();
    }

    private void Count(SpfOutcome? spf, string dkimResult, DmarcOutcome? dmarc, SmtpReply? refusal, bool quarantine)
    {
        if (spf is not null)
        {
            _metrics.Verdict("spf", spf.Result);
        }

        if (_settings.DkimEnabled)
        {
            _metrics.Verdict("dkim", dkimResult);
        }

        if (dmarc is not null)
        {
            _metrics.Verdict("dmarc", dmarc.Result);
        }

        if (refusal is not null)
        {
            _metrics.Refused(refusal.EnhancedCode == "5.7.23"
                ? spf?.Result == AuthResult.SoftFail ? InboundAuthenticationMetrics.RefusedSpfSoftfail : InboundAuthenticationMetrics.RefusedSpfFail
                : InboundAuthenticationMetrics.RefusedDmarcReject);
        }

        if (quarantine)
        {
            _metrics.Quarantined();
        }
    }

    private async Task<MimeMessage?> ParseAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            // Persistent: the body stays in the stream (a spool file) and is read where DKIM hashes it, not copied to memory.
            return await MimeMessage.LoadAsync(ParserOptions.Default, stream, persistent: stream.CanSeek, cancellationToken);
        }
        catch (FormatException e)
        {
            InboundAuthenticationLog.Unreadable(_logger, e.Message);
            return null;
        }
    }

    private static string Address(AuthenticationRequest request) =>
        (request.ClientAddress.IsIPv4MappedToIPv6 ? request.ClientAddress.MapToIPv4() : request.ClientAddress).ToString();
}
