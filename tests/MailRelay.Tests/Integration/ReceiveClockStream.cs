using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A socket stream for fake receivers that must know when bytes arrived on the wire, not when the test process got
/// round to them: the kernel stamps every packet (SO_TIMESTAMPNS, CLOCK_REALTIME, the clock <see cref="DateTimeOffset.UtcNow"/>
/// reads) and each read takes the stamp of the bytes it returns with recvmsg(2). A busy machine delays what the
/// session does with the bytes, never the recorded arrival. Linux only (x86_64 and arm64 share these constants).
/// </summary>
internal sealed partial class ReceiveClockStream : Stream
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35;
    private const int ControlSize = 64;
    private readonly Socket _socket;
    private long _lastReceiveTicks;

    public ReceiveClockStream(Socket socket)
    {
        _socket = socket;
        _socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));
    }

    /// <summary>When the bytes of the last completed read arrived, as the kernel stamped them.</summary>
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

    public override void Write(byte[] buffer, int offset, int count) => _socket.Send(buffer, offset, count, SocketFlags.None);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private unsafe int Receive(Memory<byte> buffer)
    {
        const int dontWait = 0x40;
        const int wouldBlock = 11;
        const int interrupted = 4;
        var control = stackalloc byte[ControlSize];
        using var pinned = buffer.Pin();
        while (true)
        {
            // Wait on this thread until bytes (or the end) are there, then take them without blocking.
            _socket.Poll(-1, SelectMode.SelectRead);
            var vector = new IoVector { Base = pinned.Pointer, Length = (nuint)buffer.Length };
            var header = new MessageHeader { Vector = &vector, VectorCount = 1, Control = control, ControlLength = ControlSize };
            var read = ReceiveMessage((int)_socket.Handle, &header, dontWait);
            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error is wouldBlock or interrupted)
                {
                    continue;
                }

                throw new IOException($"recvmsg failed with errno {error}");
            }

            if (read > 0)
            {
                Interlocked.Exchange(ref _lastReceiveTicks, StampOf(control, (int)header.ControlLength));
            }

            return (int)read;
        }
    }

    /// <summary>The SCM_TIMESTAMPNS control message's time (struct timespec) in UTC ticks.</summary>
    private static unsafe long StampOf(byte* control, int length)
    {
        var offset = 0;
        while (offset + 16 <= length)
        {
            var size = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (level == SolSocket && type == SoTimestampNs && size >= 32)
            {
                var seconds = *(long*)(control + offset + 16);
                var nanoseconds = *(long*)(control + offset + 24);
                return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks + (nanoseconds / 100);
            }

            if (size <= 0)
            {
                break;
            }

            offset += (size + 7) & ~7;
        }

        // No stamp came with these bytes (they were queued before stamping was on): the clock now is the best left.
        return DateTimeOffset.UtcNow.UtcTicks;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint ReceiveMessage(int socket, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vector;
        public nuint VectorCount;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
