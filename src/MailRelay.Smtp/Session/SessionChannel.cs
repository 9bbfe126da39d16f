using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>
/// The byte side of a session: bounded command-line reading, replies buffered until the session is about
/// to wait for input (RFC 2920), and per-read idle timeouts through the injected <see cref="TimeProvider"/>.
/// The pipes are swapped when STARTTLS wraps the connection.
/// </summary>
public sealed class SessionChannel
{
    private readonly SmtpServerOptions options;
    private readonly ISmtpServerEvents events;
    private readonly TimeProvider timeProvider;
    private readonly UTF8Encoding strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private volatile PipeReader input;
    private volatile bool shutdownRequested;

    public SessionChannel(IDuplexPipe transport, SmtpServerOptions options, ISmtpServerEvents events, TimeProvider timeProvider)
    {
        input = transport.Input;
        Output = transport.Output;
        this.options = options;
        this.events = events;
        this.timeProvider = timeProvider;
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
    /// Reads one command line of at most <see cref="SmtpServerOptions.MaxCommandLineLength"/> octets
    /// (CRLF or a bare LF ends it). A longer line is consumed and dropped as it arrives.
    /// </summary>
    public async ValueTask<CommandLineResult> ReadCommandLineAsync()
    {
        var limit = options.MaxCommandLineLength;
        var discarding = false;

        // Checked before reading too: a read inside DATA/BDAT may already have absorbed the wake-up.
        if (shutdownRequested)
        {
            throw new SessionEndException(SessionOutcome.ServerShutdown, SmtpReplies.ShuttingDown(options.HostName));
        }

        if (!TryReadBuffered(out var result))
        {
            result = await WaitAsync(options.CommandTimeout, SessionOutcome.CommandTimeout);
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

            result = await WaitAsync(options.CommandTimeout, SessionOutcome.CommandTimeout);
        }
    }

    /// <summary>Reads content inside DATA/BDAT; shutdown does not interrupt it.</summary>
    public async ValueTask<ReadResult> ReadContentAsync(TimeSpan timeout, SessionOutcome outcomeOnTimeout)
    {
        if (TryReadBuffered(out var result))
        {
            return result;
        }

        return await WaitAsync(timeout, outcomeOnTimeout);
    }

    /// <summary>Whether the very first bytes from the client are <paramref name="prefix"/>; consumes nothing.</summary>
    public async ValueTask<bool> StartsWithAsync(ReadOnlyMemory<byte> prefix)
    {
        if (!TryReadBuffered(out var result))
        {
            result = await WaitAsync(options.CommandTimeout, SessionOutcome.CommandTimeout);
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

            result = await WaitAsync(options.CommandTimeout, SessionOutcome.CommandTimeout);
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

    /// <summary>Flushes the queued replies, then waits for input, both within one idle timeout.</summary>
    private async ValueTask<ReadResult> WaitAsync(TimeSpan timeout, SessionOutcome outcomeOnTimeout)
    {
        using var timer = new CancellationTokenSource(timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : timeout, timeProvider);
        try
        {
            await FlushAsync(timer.Token);
            return await input.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw new SessionEndException(outcomeOnTimeout, SmtpReplies.Timeout(options.HostName));
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
