using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MailRelay.Bench.Spool;

/// <summary>
/// The same concurrent writers as <see cref="SpoolLoad"/>, committing into a segment log instead: one preallocated,
/// zero-filled file that every message is appended to (a 16-byte record header: length, CRC-32 of the content,
/// sequence; then the content), made durable by an <c>fdatasync</c> shared by every message written before it began
/// (one sync at a time; a message completes when a sync that began after its write has finished). No file is created,
/// renamed or synced per message and no directory is touched: what a segment-log spool would cost on the accept side.
/// </summary>
internal sealed partial class SegmentLoad(string dataDirectory, int writers, int messages, int messageSize)
{
    private const int RecordHeader = 16;

    public async Task<SpoolLoadResult> RunAsync()
    {
        WriterRun.Reset(dataDirectory);
        var path = Path.Combine(dataDirectory, "segment-000001.log");
        var recordSize = RecordHeader + messageSize;
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
        Preallocate(handle, (long)recordSize * messages);

        var content = new byte[messageSize];
        Array.Fill(content, (byte)'x');
        var crc = Crc32.HashToUInt32(content);
        var group = new GroupSync(handle);
        var next = -1L;
        return await WriterRun.MeasureAsync(
            "segment",
            writers,
            messages,
            _ =>
            {
                var record = new byte[recordSize];
                content.CopyTo(record.AsSpan(RecordHeader));
                return () =>
                {
                    var index = Interlocked.Increment(ref next);
                    BinaryPrimitives.WriteInt32LittleEndian(record, messageSize);
                    BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), crc);
                    BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), index);
                    RandomAccess.Write(handle, record, index * recordSize);
                    return group.CommitAsync();
                };
            },
            () => group.Syncs);
    }

    /// <summary>Writes zeros over the whole segment and syncs it, so later syncs carry data only (no extent changes).</summary>
    private static void Preallocate(SafeFileHandle handle, long length)
    {
        var zeros = new byte[1 << 20];
        for (long offset = 0; offset < length; offset += zeros.Length)
        {
            RandomAccess.Write(handle, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - offset)), offset);
        }

        RandomAccess.FlushToDisk(handle);
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fileDescriptor);

    /// <summary>One fdatasync at a time, covering every write completed before it began.</summary>
    private sealed class GroupSync(SafeFileHandle handle)
    {
        private readonly Lock _lock = new();
        private long _written;
        private long _synced;
        private bool _syncing;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Syncs { get; private set; }

        public async Task CommitAsync()
        {
            var mine = Interlocked.Increment(ref _written);
            while (true)
            {
                Task wait;
                lock (_lock)
                {
                    if (_synced >= mine)
                    {
                        return;
                    }

                    if (!_syncing)
                    {
                        _syncing = true;
                        _ = Task.Run(SyncWhileWaitedFor);
                    }

                    wait = _done.Task;
                }

                await wait;
            }
        }

        private void SyncWhileWaitedFor()
        {
            while (true)
            {
                var upTo = Interlocked.Read(ref _written);
                if (FDataSync((int)handle.DangerousGetHandle()) != 0)
                {
                    throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
                }

                TaskCompletionSource done;
                var more = true;
                lock (_lock)
                {
                    Syncs++;
                    _synced = upTo;
                    done = _done;
                    _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (Interlocked.Read(ref _written) == _synced)
                    {
                        _syncing = false;
                        more = false;
                    }
                }

                done.SetResult();
                if (!more)
                {
                    return;
                }
            }
        }
    }
}
