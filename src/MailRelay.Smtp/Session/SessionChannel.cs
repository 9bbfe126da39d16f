using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>
/// The byte side of a session: bounded command-line reading, replies buffered until the session is about
/// to wait for input (RFC 2920), and the clocks through the injected <see cref="TimeProvider"/>: an idle
/// timeout for the first byte of a command, a deadline for the rest of its line (so a client trickling one
/// byte at a time cannot hold the session), and the session's own time limit. The pipes are swapped when
/// STARTTLS wraps the connection.
/// </summary>
public sealed class SessionChannel
{
    private readonly SmtpServerOptions options;
    private readonly ISmtpServerEvents events;
    private readonly TimeProvider timeProvider;
    private readonly UTF8Encoding strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadDeadline sessionDeadline;
    private volatile PipeReader input;
    private volatile bool shutdownRequested;

    public SessionChannel(IDuplexPipe transport, SmtpServerOptions options, ISmtpServerEvents events, TimeProvider timeProvider)
    {
        input = transport.Input;
        Output = transport.Output;
        this.options = options;
        this.events = events;
        this.timeProvider = timeProvider;
        sessionDeadline = ReadDeadline.After(timeProvider, options.MaxSessionDuration, SessionOutcome.SessionTimeout);
    }

    public PipeReader Input => input;

    public PipeWriter Output { get; private set; }

    public bool ShutdownRequested => shutdownRequested;

    /// <summary>Marks shutdown and wakes a pending command read (Kestrel's ConnectionClosedRequested).</summary>
    public void RequestShutdown()
    {
        shutdownRequested = true;
        input.CancelPendingRead();
    }

    /// <summary>Continues the session over new pipes (after the TLS handshake).</summary>
    public void Replace(PipeReader newInput, PipeWriter newOutput)
    {
        input = newInput;
        Output = newOutput;
        if (shutdownRequested)
        {
            newInput.CancelPendingRead();
        }
    }

    /// <summary>Queues a reply; it reaches the client at the next flush.</summary>
    public void Write(SmtpReply reply)
    {
        Encoding.UTF8.GetBytes(reply.ToWireString(), Output);
        events.ReplySent(reply.Code);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        FlushResult flushed;
        try
        {
            flushed = await Output.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
        }
        catch (InvalidOperationException)
        {
            throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
        }

        if (flushed.IsCompleted)
        {
            throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
        }
    }

    /// <summary>
    /// A deadline <see cref="SmtpServerOptions.CommandTimeout"/> from now for a dialogue of several lines
    /// (one AUTH exchange), ending the session with <paramref name="outcome"/> when it passes.
    /// </summary>
    public ReadDeadline StartExchange(SessionOutcome outcome) => ReadDeadline.After(timeProvider, options.CommandTimeout, outcome);

    /// <summary>
    /// Reads one command line of at most <see cref="SmtpServerOptions.MaxCommandLineLength"/> octets
    /// (CRLF or a bare LF ends it). A longer line is consumed and dropped as it arrives. The first byte may
    /// take up to <see cref="SmtpServerOptions.CommandTimeout"/>; from it, the whole line must arrive within
    /// the same time, and within <paramref name="exchange"/> and the session's limit when they are earlier.
    /// </summary>
    public async ValueTask<CommandLineResult> ReadCommandLineAsync(ReadDeadline? exchange = null)
    {
        var limit = options.MaxCommandLineLength;
        var discarding = false;

        // Checked before reading too: a read inside DATA/BDAT may already have absorbed the wake-up.
        if (shutdownRequested)
        {
            throw new SessionEndException(SessionOutcome.ServerShutdown, SmtpReplies.ShuttingDown(options.HostName));
        }

        // The session's limit is enforced at a command boundary: whatever the client pipelined is not read.
        var outer = exchange is { } dialogue ? dialogue.Min(sessionDeadline) : sessionDeadline;
        if (timeProvider.GetUtcNow() >= outer.At)
        {
            throw TimedOut(outer.Outcome);
        }

        ReadDeadline? lineDeadline = null;
        if (!TryReadBuffered(out var result))
        {
            result = await WaitAsync(NextDeadline(lineDeadline, outer));
        }

        while (true)
        {
            if (shutdownRequested || result.IsCanceled)
            {
                input.AdvanceTo(result.Buffer.Start);
                throw new SessionEndException(SessionOutcome.ServerShutdown, SmtpReplies.ShuttingDown(options.HostName));
            }

            var buffer = result.Buffer;
            if (!discarding)
            {
                var window = buffer.Length > limit ? buffer.Slice(0, limit) : buffer;
                var end = window.PositionOf((byte)'\n');
                if (end is not null)
                {
                    var line = buffer.Slice(0, buffer.GetPosition(1, end.Value));
                    var decoded = Decode(line);
                    input.AdvanceTo(line.End);
                    return decoded;
                }

                // No line end within the limit: from here on the line is dropped, never buffered.
                discarding = buffer.Length >= limit;
            }

            if (discarding)
            {
                var end = buffer.PositionOf((byte)'\n');
                if (end is not null)
                {
                    input.AdvanceTo(buffer.GetPosition(1, end.Value));
                    return new CommandLineResult(null, TooLong: true, Malformed: false);
                }

                input.AdvanceTo(buffer.End);
            }
            else
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
            }

            // The line has begun (its first bytes are in, consumed or discarded): from now on the clock runs
            // for the whole line, however the rest of it trickles in.
            lineDeadline ??= ReadDeadline.After(timeProvider, options.CommandTimeout, SessionOutcome.CommandTimeout);
            result = await WaitAsync(NextDeadline(lineDeadline, outer));
        }
    }

    /// <summary>Reads content inside DATA/BDAT; shutdown does not interrupt it.</summary>
    public async ValueTask<ReadResult> ReadContentAsync(TimeSpan timeout, SessionOutcome outcomeOnTimeout)
    {
        if (TryReadBuffered(out var result))
        {
            return result;
        }

        return await WaitAsync(ReadDeadline.After(timeProvider, timeout, outcomeOnTimeout));
    }

    /// <summary>
    /// Whether the very first bytes from the client are <paramref name="prefix"/>; consumes nothing. They are
    /// the start of the first command line, so the same clocks apply.
    /// </summary>
    public async ValueTask<bool> StartsWithAsync(ReadOnlyMemory<byte> prefix)
    {
        ReadDeadline? lineDeadline = null;
        if (!TryReadBuffered(out var result))
        {
            result = await WaitAsync(NextDeadline(lineDeadline, sessionDeadline));
        }

        while (true)
        {
            var buffer = result.Buffer;
            var compared = (int)Math.Min(buffer.Length, prefix.Length);
            var head = buffer.Slice(0, compared).ToArray();
            if (!head.AsSpan().SequenceEqual(prefix.Span[..compared]))
            {
                input.AdvanceTo(buffer.Start);
                return false;
            }

            if (compared == prefix.Length)
            {
                input.AdvanceTo(buffer.Start);
                return true;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return false;
            }

            lineDeadline ??= ReadDeadline.After(timeProvider, options.CommandTimeout, SessionOutcome.CommandTimeout);
            result = await WaitAsync(NextDeadline(lineDeadline, sessionDeadline));
        }
    }

    /// <summary>Whether the client already sent more bytes than have been read (checked after STARTTLS).</summary>
    public bool HasBufferedInput()
    {
        if (!input.TryRead(out var result))
        {
            return false;
        }

        var any = !result.Buffer.IsEmpty;
        input.AdvanceTo(result.Buffer.Start);
        return any;
    }

    private bool TryReadBuffered(out ReadResult result)
    {
        if (!input.TryRead(out result))
        {
            return false;
        }

        if (result.Buffer.IsEmpty && !result.IsCompleted && !result.IsCanceled)
        {
            input.AdvanceTo(result.Buffer.Start);
            return false;
        }

        return true;
    }

    /// <summary>
    /// What the next wait for command bytes may last: the idle timeout before a line's first byte, the line's
    /// deadline after it, cut short by an earlier exchange or session deadline.
    /// </summary>
    private ReadDeadline NextDeadline(ReadDeadline? lineDeadline, ReadDeadline outer) =>
        (lineDeadline ?? ReadDeadline.After(timeProvider, options.CommandTimeout, SessionOutcome.CommandTimeout)).Min(outer);

    private SessionEndException TimedOut(SessionOutcome outcome) =>
        new(outcome, outcome == SessionOutcome.SessionTimeout ? SmtpReplies.SessionTooLong(options.HostName) : SmtpReplies.Timeout(options.HostName));

    /// <summary>Flushes the queued replies, then waits for input, both before <paramref name="deadline"/>.</summary>
    private async ValueTask<ReadResult> WaitAsync(ReadDeadline deadline)
    {
        using var timer = new CancellationTokenSource(TimeLeft(deadline), timeProvider);
        try
        {
            await FlushAsync(timer.Token);
            return await input.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw TimedOut(deadline.Outcome);
        }
        catch (OperationCanceledException)
        {
            throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
        }
        catch (IOException)
        {
            throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
        }
    }

    /// <summary>
    /// Time until <paramref name="deadline"/>, never negative; beyond what a timer can hold (about 49 days) the
    /// wait is unbounded, which no configured limit reaches.
    /// </summary>
    private TimeSpan TimeLeft(ReadDeadline deadline)
    {
        if (deadline.At == DateTimeOffset.MaxValue)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var left = deadline.At - timeProvider.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return left.TotalMilliseconds >= uint.MaxValue - 1 ? Timeout.InfiniteTimeSpan : left;
    }

    private CommandLineResult Decode(ReadOnlySequence<byte> lineWithLf)
    {
        var length = (int)lineWithLf.Length - 1;
        var bytes = lineWithLf.Slice(0, length).ToArray().AsSpan();
        if (length > 0 && bytes[length - 1] == (byte)'\r')
        {
            bytes = bytes[..(length - 1)];
        }

        try
        {
            return new CommandLineResult(strictUtf8.GetString(bytes), TooLong: false, Malformed: false);
        }
        catch (DecoderFallbackException)
        {
            return new CommandLineResult(null, TooLong: false, Malformed: true);
        }
    }
}
