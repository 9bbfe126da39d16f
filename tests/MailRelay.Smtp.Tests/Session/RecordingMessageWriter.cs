using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>Keeps the content it was given and how it ended.</summary>
public sealed class RecordingMessageWriter : IMessageWriter
{
    private readonly MemoryStream received = new();
    private readonly TaskCompletionSource<bool> firstWrite;

    public RecordingMessageWriter(MailTransaction transaction, string queueId, TaskCompletionSource<bool> firstWrite)
    {
        Transaction = transaction;
        QueueId = queueId;
        this.firstWrite = firstWrite;
    }

    public MailTransaction Transaction { get; }

    public string QueueId { get; }

    public bool Completed { get; private set; }

    public bool Aborted { get; private set; }

    public bool Disposed { get; private set; }

    public int Writes { get; private set; }

    public int LargestWrite { get; private set; }

    /// <summary>The recipients as they were when the message completed.</summary>
    public IReadOnlyList<string> RecipientsAtCompletion { get; private set; } = [];

    /// <summary>Runs inside <see cref="CompleteAsync"/>, as a store's commit would.</summary>
    public Action? Completing { get; set; }

    public byte[] Content => received.ToArray();

    public string Text => System.Text.Encoding.UTF8.GetString(Content);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Assert.False(Completed || Aborted, "WriteAsync after the message ended");
        received.Write(content.Span);
        Writes++;
        LargestWrite = Math.Max(LargestWrite, content.Length);
        firstWrite.TrySetResult(true);
        return ValueTask.CompletedTask;
    }

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        Assert.False(Completed || Aborted, "message ended twice");
        Completed = true;
        Completing?.Invoke();
        RecipientsAtCompletion = [.. Transaction.Recipients];
        return ValueTask.FromResult(new SmtpReply(250, "2.0.0", $"Ok: queued as {QueueId}"));
    }

    public ValueTask AbortAsync()
    {
        Assert.False(Completed || Aborted, "message ended twice");
        Aborted = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        received.Dispose();
        return ValueTask.CompletedTask;
    }
}
