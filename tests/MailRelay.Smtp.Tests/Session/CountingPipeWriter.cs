using System.IO.Pipelines;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>Passes everything to an inner writer and counts the flushes, to observe reply batching.</summary>
public sealed class CountingPipeWriter : PipeWriter
{
    private readonly PipeWriter inner;
    private int flushes;

    public CountingPipeWriter(PipeWriter inner)
    {
        this.inner = inner;
    }

    public int Flushes => Volatile.Read(ref flushes);

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref flushes);
        return inner.FlushAsync(cancellationToken);
    }
}
