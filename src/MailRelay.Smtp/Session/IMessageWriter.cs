using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>
/// Receives one message's content as it arrives (dot-unstuffed, CRLF line ends) and decides the final
/// reply. The engine calls <see cref="WriteAsync"/> zero or more times, then exactly one of
/// <see cref="CompleteAsync"/> (all content received and acceptable) or <see cref="AbortAsync"/>
/// (refused for size or bare newlines, connection lost, or the session ended), then disposes it.
/// </summary>
public interface IMessageWriter : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Make the message durable and return the final reply (250 with the queue id, or 451/554).</summary>
    ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Discard whatever was written.</summary>
    ValueTask AbortAsync();
}
