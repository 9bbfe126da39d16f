using System.Net.Sockets;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A socket stream for fake receivers that must know when bytes arrived, not when the test process got round to them:
/// each read blocks on a thread of its own and notes the time the moment the kernel hands the bytes over, so a busy
/// thread pool (the daemon may share it) delays what the session does with them but not the recorded arrival.
/// </summary>
internal sealed class ReceiveClockStream(Socket socket, TimeProvider time) : Stream
{
    private long _lastReceiveTicks;

    /// <summary>When the bytes of the last completed read arrived.</summary>
    public DateTimeOffset LastReceiveAt => new(Interlocked.Read(ref _lastReceiveTicks), TimeSpan.Zero);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Receive(buffer.AsMemory(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = Task.Factory.StartNew(() => Receive(buffer), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return new ValueTask<int>(read.WaitAsync(cancellationToken));
    }

    public override void Write(byte[] buffer, int offset, int count) => socket.Send(buffer, offset, count, SocketFlags.None);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        await socket.SendAsync(buffer, SocketFlags.None, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Receive(Memory<byte> buffer)
    {
        var read = socket.Receive(buffer.Span, SocketFlags.None);
        Interlocked.Exchange(ref _lastReceiveTicks, time.GetUtcNow().UtcTicks);
        return read;
    }
}
