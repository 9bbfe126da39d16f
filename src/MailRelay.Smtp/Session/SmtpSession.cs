using System.IO.Pipelines;
using MailRelay.Smtp.Commands;
using MailRelay.Smtp.Data;
using MailRelay.Smtp.Protocol;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Session;

/// <summary>
/// One SMTP session over a duplex pipe: greeting, the command loop driven by the state table,
/// DATA/BDAT streaming, STARTTLS, limits and timeouts, and exactly one
/// <see cref="ISmtpSessionHandler.OnSessionEndAsync"/> at the end.
/// </summary>
public sealed class SmtpSession
{
    private readonly IDuplexPipe transport;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    // The PROXY protocol v2 signature (\r\n\r\n\0\r\nQUIT\n): such a client expects a proxy-aware listener.
    private readonly byte[] proxyV2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private readonly SessionStateTable stateTable = new();
    private readonly CommandTable commandTable = new();
    private TlsConnection? tls;
    private int consecutiveErrors;

    public SmtpSession(
        IDuplexPipe transport,
        SessionContext context,
        SmtpServerOptions options,
        ISmtpSessionHandler handler,
        ISmtpServerEvents events,
        TimeProvider timeProvider,
        ILogger logger)
    {
        this.transport = transport;
        Context = context;
        Options = options;
        Handler = handler;
        Events = events;
        this.timeProvider = timeProvider;
        this.logger = logger;
        Channel = new SessionChannel(transport, options, events, timeProvider);
        Receiver = new MessageReceiver(Channel, options, timeProvider);
    }

    public SessionContext Context { get; }

    public SmtpServerOptions Options { get; }

    public ISmtpSessionHandler Handler { get; }

    public ISmtpServerEvents Events { get; }

    public SessionChannel Channel { get; }

    /// <summary>The engine's logger, for commands that report their own events (AUTH outcomes).</summary>
    internal ILogger Logger => logger;

    public MessageReceiver Receiver { get; }

    public SessionCounters Counters { get; } = new();

    public SessionState State { get; set; } = SessionState.Connected;

    public ActiveTransaction? Transaction { get; private set; }

    /// <summary>Set by STARTTLS: the handshake starts once its 220 is on the wire.</summary>
    public bool StartTlsRequested { get; set; }

    /// <summary>Cancelled when the connection is torn down; passed to the handler.</summary>
    public CancellationToken ConnectionAborted { get; private set; }

    /// <summary>
    /// Runs the session to its end. <paramref name="shutdownRequested"/> makes a session that is waiting
    /// for a command answer 421 4.3.2 and close; a message being received is finished first.
    /// </summary>
    public async Task<SessionSummary> RunAsync(CancellationToken shutdownRequested, CancellationToken connectionAborted = default)
    {
        ConnectionAborted = connectionAborted;
        var started = timeProvider.GetTimestamp();
        Events.SessionStarted();
        SessionOutcome outcome;
        using (shutdownRequested.Register(Channel.RequestShutdown))
        {
            try
            {
                outcome = await ConverseAsync();
            }
            catch (SessionEndException end)
            {
                outcome = end.Outcome;
                if (end.FinalReply is not null)
                {
                    Channel.Write(end.FinalReply);
                }
            }
            catch (Exception exception)
            {
                outcome = connectionAborted.IsCancellationRequested ? SessionOutcome.ClientDisconnected : SessionOutcome.Error;
                if (outcome == SessionOutcome.Error)
                {
                    SmtpSessionLog.SessionFailed(logger, Context.Id, exception);
                    Channel.Write(SmtpReplies.LocalError(Options.HostName));
                }
            }
        }

        await CloseAsync();

        var summary = new SessionSummary(
            outcome,
            timeProvider.GetElapsedTime(started),
            Counters.Commands,
            Counters.MessagesAccepted,
            Counters.MessagesRefused,
            Counters.RecipientsAccepted,
            Counters.RecipientsRefused,
            Counters.BytesReceived);
        Events.SessionEnded(outcome);
        await Handler.OnSessionEndAsync(Context, summary);
        return summary;
    }

    /// <summary>Opens a transaction after MAIL was accepted.</summary>
    public void BeginTransaction(MailTransaction mail)
    {
        Transaction = new ActiveTransaction(mail);
        State = SessionState.InTransaction;
    }

    /// <summary>Drops the transaction (RSET, EHLO, end of message), aborting a half-received BDAT message.</summary>
    public async ValueTask ResetTransactionAsync()
    {
        var chunks = Transaction?.Chunks;
        Transaction = null;
        State = Context.HeloName is null ? SessionState.Connected : SessionState.Greeted;
        if (chunks is not null)
        {
            await chunks.Writer.AbortAsync();
            await chunks.Writer.DisposeAsync();
        }
    }

    /// <summary>
    /// The whole message is in: refuse it (552 too big, 550 bare newline) or let the handler make it
    /// durable; then the transaction ends.
    /// </summary>
    public async ValueTask<SmtpReply> CompleteMessageAsync(IMessageWriter writer, ContentSink sink, bool refusedForBareNewline)
    {
        if (Transaction is not null)
        {
            Transaction.Chunks = null;
        }

        SmtpReply reply;
        var contentEnded = timeProvider.GetTimestamp();
        await using (writer)
        {
            Counters.BytesReceived += sink.Length;
            if (sink.TooBig || refusedForBareNewline)
            {
                await writer.AbortAsync();
                reply = sink.TooBig ? SmtpReplies.MessageTooBig() : SmtpReplies.BareNewlineRefused();
            }
            else
            {
                reply = await writer.CompleteAsync(ConnectionAborted);
            }
        }

        if (reply.IsPositive)
        {
            Counters.MessagesAccepted++;
            Events.MessageAccepted(sink.Length, timeProvider.GetElapsedTime(contentEnded));
        }
        else
        {
            Counters.MessagesRefused++;
            Events.MessageRefused(reply.Code);
        }

        await ResetTransactionAsync();
        return reply;
    }

    private async Task<SessionOutcome> ConverseAsync()
    {
        var refusal = await Handler.OnConnectAsync(Context, ConnectionAborted);
        if (refusal is not null)
        {
            throw new SessionEndException(SessionOutcome.Refused, refusal);
        }

        Channel.Write(SmtpReplies.Greeting(Options.HostName));
        if (await Channel.StartsWithAsync(proxyV2Signature))
        {
            throw new SessionEndException(SessionOutcome.ProxyHeaderRefused, SmtpReplies.ProxyHeaderRefused());
        }

        while (true)
        {
            var line = await Channel.ReadCommandLineAsync();
            Counters.Commands++;
            if (Counters.Commands == 1 && line.Line is not null && line.Line.StartsWith("PROXY ", StringComparison.Ordinal))
            {
                Events.CommandReceived("UNKNOWN");
                throw new SessionEndException(SessionOutcome.ProxyHeaderRefused, SmtpReplies.ProxyHeaderRefused());
            }

            var (verb, reply) = line.Line is null
                ? ("UNKNOWN", line.TooLong ? SmtpReplies.LineTooLong() : SmtpReplies.UnknownCommand())
                : await DispatchAsync(line.Line);
            SmtpSessionLog.Command(logger, Context.Id, verb, reply.Code);

            if (reply.IsPositive)
            {
                consecutiveErrors = 0;
            }
            else if (++consecutiveErrors > Options.MaxConsecutiveErrors)
            {
                throw new SessionEndException(SessionOutcome.TooManyErrors, SmtpReplies.TooManyErrors(Options.HostName));
            }

            Channel.Write(reply);
            if (reply.ClosesConnection)
            {
                return reply.Code == 221 ? SessionOutcome.Quit : SessionOutcome.ProtocolViolation;
            }

            if (StartTlsRequested)
            {
                StartTlsRequested = false;
                await StartTlsAsync();
            }
        }
    }

    private async ValueTask<(string Verb, SmtpReply Reply)> DispatchAsync(string text)
    {
        var line = SmtpCommandLine.Parse(text);
        var command = commandTable.Find(line.Verb);
        if (command is null)
        {
            var notImplemented = CommandTable.IsKnownButNotImplemented(line.Verb);
            var verb = notImplemented ? line.Verb : "UNKNOWN";
            Events.CommandReceived(verb);
            return (verb, notImplemented ? SmtpReplies.NotImplemented() : SmtpReplies.UnknownCommand());
        }

        Events.CommandReceived(line.Verb);
        var refusal = stateTable.Check(this, line.Verb);
        var reply = refusal is null
            ? await command.ExecuteAsync(this, line.Arguments, ConnectionAborted)
            : await command.RefuseAsync(this, line.Arguments, refusal, ConnectionAborted);
        return (line.Verb, reply);
    }

    private async ValueTask StartTlsAsync()
    {
        await Channel.FlushAsync(ConnectionAborted);
        var certificate = Options.Certificate ?? throw new InvalidOperationException("STARTTLS without a certificate.");
        tls = await TlsConnection.AcceptAsync(Channel.Input, Channel.Output, certificate, Options.TlsHandshakeTimeout, timeProvider);
        Channel.Replace(tls.Input, tls.Output);
        Context.IsSecure = true;
        Context.TlsDescription = tls.Description;
        Context.HeloName = null;
        Context.IsExtended = false;

        // RFC 3207 §4.2: nothing learnt in the clear survives the handshake, an earlier AUTH included.
        Context.AuthenticatedUser = null;
        await ResetTransactionAsync();
    }

    /// <summary>Aborts an unfinished message, sends the last replies and closes; never throws, so the summary is always reported.</summary>
    private async ValueTask CloseAsync()
    {
        try
        {
            await ResetTransactionAsync();
        }
        catch (Exception exception)
        {
            SmtpSessionLog.CloseFailed(logger, Context.Id, exception);
        }

        using (var flushTimer = new CancellationTokenSource(Options.CommandTimeout, timeProvider))
        {
            try
            {
                await Channel.FlushAsync(flushTimer.Token);
            }
            catch (Exception exception)
            {
                SmtpSessionLog.CloseFailed(logger, Context.Id, exception);
            }
        }

        try
        {
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }

            await transport.Output.CompleteAsync();
            await transport.Input.CompleteAsync();
        }
        catch (Exception exception)
        {
            SmtpSessionLog.CloseFailed(logger, Context.Id, exception);
        }
    }
}
