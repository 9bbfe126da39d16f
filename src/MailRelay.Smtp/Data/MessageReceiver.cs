using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Data;

/// <summary>
/// Streams DATA and BDAT content from the session's pipe to a <see cref="ContentSink"/>, one pipe
/// segment at a time: nothing but the decoder's few bytes of state is held between reads.
/// </summary>
public sealed class MessageReceiver
{
    private readonly SessionChannel channel;
    private readonly SmtpServerOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ReadOnlyMemory<byte> lineBreak = "\r\n"u8.ToArray();

    public MessageReceiver(SessionChannel channel, SmtpServerOptions options, TimeProvider timeProvider)
    {
        this.channel = channel;
        this.options = options;
        this.timeProvider = timeProvider;
    }

    /// <summary>Reads dot-stuffed DATA content up to and including the terminating CRLF.CRLF.</summary>
    public async ValueTask ReceiveDataAsync(DotStuffedDataDecoder decoder, ContentSink sink, CancellationToken cancellationToken)
    {
        var clock = new DataRateClock(options, timeProvider);
        while (!decoder.IsComplete)
        {
            var (timeout, outcome) = clock.NextReadTimeout();
            var result = await channel.ReadContentAsync(timeout, outcome);
            var buffer = result.Buffer;
            long consumed = 0;
            foreach (var segment in buffer)
            {
                var offset = 0;
                while (offset < segment.Length && !decoder.IsComplete)
                {
                    var step = decoder.Next(segment.Span[offset..]);
                    sink.Discarding = decoder.RefusedForBareNewline;
                    await sink.WriteAsync(segment.Slice(offset + step.EmitStart, step.EmitLength), cancellationToken);
                    if (step.AppendLineBreak)
                    {
                        await sink.WriteAsync(lineBreak, cancellationToken);
                    }

                    offset += step.Consumed;
                }

                consumed += offset;
                if (decoder.IsComplete)
                {
                    break;
                }
            }

            clock.Add(consumed);
            channel.Input.AdvanceTo(buffer.GetPosition(consumed));
            if (!decoder.IsComplete && result.IsCompleted)
            {
                throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
            }
        }
    }

    /// <summary>Reads exactly <paramref name="size"/> octets of one BDAT chunk.</summary>
    public async ValueTask ReceiveChunkAsync(long size, ChunkContentFilter filter, ContentSink sink, CancellationToken cancellationToken)
    {
        var clock = new DataRateClock(options, timeProvider);
        var remaining = size;
        while (remaining > 0)
        {
            var (timeout, outcome) = clock.NextReadTimeout();
            var result = await channel.ReadContentAsync(timeout, outcome);
            var buffer = result.Buffer;
            var available = buffer.Length < remaining ? buffer : buffer.Slice(0, remaining);
            foreach (var segment in available)
            {
                var offset = 0;
                while (offset < segment.Length)
                {
                    var step = filter.Next(segment.Span[offset..]);
                    sink.Discarding = filter.RefusedForBareNewline;
                    await sink.WriteAsync(segment.Slice(offset + step.EmitStart, step.EmitLength), cancellationToken);
                    if (step.AppendLineBreak)
                    {
                        await sink.WriteAsync(lineBreak, cancellationToken);
                    }

                    offset += step.Consumed;
                }
            }

            remaining -= available.Length;
            clock.Add(available.Length);
            channel.Input.AdvanceTo(available.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new SessionEndException(SessionOutcome.ClientDisconnected, null);
            }
        }
    }
}
