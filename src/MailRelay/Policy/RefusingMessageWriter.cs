using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Policy;

/// <summary>Takes and discards a message that cannot be stored, then answers with the given reply.</summary>
public sealed class RefusingMessageWriter : IMessageWriter
{
    private readonly SmtpReply _reply;

    public RefusingMessageWriter(SmtpReply reply)
    {
        _reply = reply;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_reply);

    public ValueTask AbortAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
