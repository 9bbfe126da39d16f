using System.Text;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Win32.SafeHandles;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

/// <summary>
/// The segment log under the spool: small messages as records of shared segment files, durable by a shared fdatasync,
/// removed by removal records, copied forward into queue files of their own when they stay, segments deleted oldest
/// first once nothing is left in them; what a restart finds.
/// </summary>
public sealed class SegmentLogTests : IDisposable
{
    private readonly TempDataDirectory _data = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_small_message_is_one_record_of_a_segment_and_a_restart_finds_it()
    {
        var content = Message("segment");
        string id;
        await using (var spool = SegmentSpool())
        {
            spool.Initialize();
            id = await CommitAsync(spool, Envelope("app@example.com", "a@example.net", "b@example.net"), content);
            Assert.True(spool.Segments!.Contains(id));
        }

        Assert.Empty(_data.ActiveFiles());
        Assert.Empty(_data.IncomingFiles());

        await using var restarted = SegmentSpool();
        restarted.Initialize();
        var entry = Assert.Single(restarted.Segments!.Recover(_ => Assert.Fail("nothing is unreadable")));
        Assert.Equal(id, entry.QueueId);
        Assert.Equal(["a@example.net", "b@example.net"], entry.Envelope.Recipients);
        Assert.NotNull(entry.Segment);
        Assert.Contains(entry.FilePath, SegmentFiles());
        Assert.Equal(content.Length, entry.Size);
        Assert.Equal(content, ContentOf(entry));
    }

    [Fact]
    public async Task A_message_larger_than_the_writer_buffer_gets_a_queue_file_of_its_own()
    {
        await using var spool = SegmentSpool();
        spool.Initialize();
        var content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('x', 78) + "\r\n", 1000)));

        var id = await CommitAsync(spool, Envelope(), content);

        Assert.False(spool.Segments!.Contains(id));
        Assert.Equal(Path.Combine(_data.Active, id + SpoolLayout.MessageExtension), Assert.Single(_data.ActiveFiles()));
        Assert.Empty(spool.Segments.Recover(_ => { }));
    }

    [Fact]
    public async Task Records_written_while_an_fdatasync_runs_share_the_next_one()
    {
        var disk = new GatedDisk();
        await using var spool = SegmentSpool(disk: disk);
        spool.Initialize();

        var first = CommitAsync(spool, Envelope(), Message("first"));
        await disk.SyncEntered.WaitAsync(TimeSpan.FromSeconds(30));
        var others = Enumerable.Range(0, 10).Select(i => CommitAsync(spool, Envelope(), Message($"other {i}"))).ToList();
        for (var i = 0; i < 10; i++)
        {
            await disk.Written.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(first.IsCompleted);
        disk.Release.Set();
        await Task.WhenAll(others.Append(first));

        Assert.Equal(2, disk.DataSyncs);
        Assert.Equal(2, spool.Statistics.CommitBatches);
        Assert.Equal(11, spool.Statistics.CommittedMessages);
    }

    [Fact]
    public async Task A_removed_message_is_gone_after_a_restart_and_a_segment_with_nothing_left_is_deleted()
    {
        await using (var spool = SegmentSpool())
        {
            spool.Initialize();
            var ids = await FillSegmentsAsync(spool, 2);
            var firstSegment = SegmentFiles()[0];
            foreach (var id in ids[0])
            {
                await spool.Segments!.TryRemove(id, () => throw new InvalidOperationException("not a queue file"))!;
            }

            Assert.DoesNotContain(firstSegment, SegmentFiles());
            Assert.False(spool.Segments!.Contains(ids[0][0]));
        }

        await using var restarted = SegmentSpool();
        restarted.Initialize();
        var recovered = restarted.Segments!.Recover(_ => { }).Select(e => e.QueueId).ToList();
        Assert.NotEmpty(recovered);
        Assert.All(recovered, id => Assert.True(File.Exists(restarted.Segments.TryReadEntry(id)!.FilePath)));
    }

    [Fact]
    public async Task A_newer_segment_with_nothing_left_waits_until_every_older_one_is_gone()
    {
        await using var spool = SegmentSpool();
        spool.Initialize();
        var ids = await FillSegmentsAsync(spool, 3);
        var (first, second) = (SegmentFiles()[0], SegmentFiles()[1]);
        foreach (var id in ids[1].Concat(ids[0].Skip(1)))
        {
            await spool.Segments!.TryRemove(id, () => throw new InvalidOperationException("not a queue file"))!;
        }

        // The second segment may hold the removal records of the first one's messages: it must outlive it.
        Assert.Contains(second, SegmentFiles());
        Assert.Contains(first, SegmentFiles());

        await spool.Segments!.TryRemove(ids[0][0], () => throw new InvalidOperationException("not a queue file"))!;

        Assert.DoesNotContain(first, SegmentFiles());
        Assert.DoesNotContain(second, SegmentFiles());
    }

    [Fact]
    public async Task A_message_that_stays_is_copied_forward_into_a_queue_file_and_its_segment_deleted()
    {
        await using var spool = SegmentSpool();
        spool.Initialize();
        var content = Message("stays");
        var id = await CommitAsync(spool, Envelope(), content);
        var entry = spool.Segments!.TryReadEntry(id)!;
        var body = File.ReadAllBytes(entry.FilePath).AsSpan((int)entry.Segment!.Value.BodyOffset, entry.Segment.Value.BodyLength).ToArray();

        // The tail is sealed once its message has waited, and copied forward once sealed that long.
        _time.Advance(new SegmentOptions().RetireAfter);
        await spool.Segments.RetireDueAsync();
        Assert.Empty(_data.ActiveFiles());
        _time.Advance(new SegmentOptions().RetireAfter);
        await spool.Segments.RetireDueAsync();

        var copy = Path.Combine(_data.Active, id + SpoolLayout.MessageExtension);
        Assert.Equal(body, File.ReadAllBytes(copy));
        Assert.False(spool.Segments.Contains(id));
        Assert.Equal(1, spool.Segments.CopiedForward);
        Assert.DoesNotContain(entry.FilePath, SegmentFiles());

        // An entry held from before reads the copy; the removal is the queue file's now.
        Assert.Equal(content, ContentOf(entry));
        var removedAsFile = false;
        Assert.Null(spool.Segments.TryRemove(id, () =>
        {
            removedAsFile = true;
            return Task.CompletedTask;
        }));
        Assert.False(removedAsFile);
    }

    [Fact]
    public async Task A_copied_forward_message_whose_segment_stays_is_removed_with_a_record_so_a_restart_does_not_bring_it_back()
    {
        // An older segment holding a record that cannot be read is kept for the operator, so every later one stays too.
        new Segments.TestSegment(_data.Path).Record(SegmentRecordType.Message, Encoding.ASCII.GetBytes("{\"v\":99}\n")).Write();
        string id;
        await using (var spool = SegmentSpool())
        {
            spool.Initialize();
            Assert.Empty(spool.Segments!.Recover(_ => { }));
            id = await CommitAsync(spool, Envelope(), Message("copied"));
            var segment = spool.Segments.TryReadEntry(id)!.FilePath;
            for (var step = 0; step < 2; step++)
            {
                _time.Advance(new SegmentOptions().RetireAfter);
                await spool.Segments.RetireDueAsync();
            }

            Assert.True(File.Exists(Path.Combine(_data.Active, id + SpoolLayout.MessageExtension)));
            Assert.Contains(segment, SegmentFiles());

            // The queue file's removal is cut short here (as by a crash right after the removal record).
            var removal = spool.Segments.TryRemove(id, () => Task.CompletedTask);
            Assert.NotNull(removal);
            await removal;
        }

        await using var restarted = SegmentSpool();
        restarted.Initialize();
        Assert.DoesNotContain(id, restarted.Segments!.Recover(_ => { }).Select(e => e.QueueId));
        Assert.False(File.Exists(Path.Combine(_data.Active, id + SpoolLayout.MessageExtension)));
        Assert.DoesNotContain(id, new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId));
    }

    [Fact]
    public async Task Recovery_beside_the_first_segment_being_prepared_takes_over_only_what_an_earlier_run_left()
    {
        var disk = new HeldSegmentDirectorySync();
        await using var spool = SegmentSpool(disk: disk);
        spool.Initialize();

        // The first segment is renamed into place and its directory is being synced when recovery reads the segments.
        await disk.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(spool.Segments!.Recover(_ => { }));
        disk.Release.Set();

        var id = await CommitAsync(spool, Envelope(), Message("after recovery"));
        Assert.True(spool.Segments.Contains(id));
        Assert.Empty(_data.ActiveFiles());
    }

    [Fact]
    public async Task Beyond_the_most_segments_the_oldest_ones_messages_are_copied_forward_at_once()
    {
        await using var spool = SegmentSpool(maxSegments: 2);
        spool.Initialize();
        var ids = await FillSegmentsAsync(spool, 4);

        await spool.Segments!.RetireDueAsync();

        Assert.True(spool.Segments.SegmentCount <= 2, $"{spool.Segments.SegmentCount} segments left");
        Assert.All(ids[0].Concat(ids[1]), id => Assert.True(File.Exists(Path.Combine(_data.Active, id + SpoolLayout.MessageExtension)), id));
        Assert.All(ids[3], id => Assert.True(spool.Segments.Contains(id), id));
    }

    [Fact]
    public async Task A_failed_write_refuses_that_message_only_and_the_next_goes_to_a_new_segment()
    {
        var disk = new FaultInjectingDiskSync();
        string kept;
        await using (var spool = SegmentSpool(disk: disk))
        {
            spool.Initialize();
            kept = await CommitAsync(spool, Envelope(), Message("before"));
            disk.Fail(DiskOperation.Write, SpoolLayout.SegmentExtension, count: 1);
            var refused = await Assert.ThrowsAsync<SpoolException>(() => CommitAsync(spool, Envelope(), Message("refused")));
            Assert.NotNull(refused.QueueId);
            var after = await CommitAsync(spool, Envelope(), Message("after"));
            Assert.NotEqual(spool.Segments!.TryReadEntry(kept)!.FilePath, spool.Segments.TryReadEntry(after)!.FilePath);
            kept += "," + after;
        }

        await using var restarted = SegmentSpool();
        restarted.Initialize();
        Assert.Equal(kept.Split(','), restarted.Segments!.Recover(_ => { }).Select(e => e.QueueId));
    }

    [Fact]
    public async Task A_failed_fdatasync_refuses_the_messages_it_covered_and_the_segment_is_not_used_again()
    {
        var disk = new FaultInjectingDiskSync();
        await using var spool = SegmentSpool(disk: disk);
        spool.Initialize();
        var before = await CommitAsync(spool, Envelope(), Message("before"));
        disk.Fail(DiskOperation.SyncData, count: 1);

        var refused = await Assert.ThrowsAsync<SpoolException>(() => CommitAsync(spool, Envelope(), Message("refused")));
        var after = await CommitAsync(spool, Envelope(), Message("after"));

        Assert.Equal(SpoolFailureReason.SyncFailed, refused.Reason);
        Assert.False(spool.Segments!.Contains(refused.QueueId!));
        Assert.NotEqual(spool.Segments.TryReadEntry(before)!.FilePath, spool.Segments.TryReadEntry(after)!.FilePath);
    }

    [Fact]
    public async Task A_record_is_acknowledged_only_once_every_record_before_it_in_its_segment_is_written()
    {
        // A reader stops at the first record that does not check: a record written after a hole that a crash leaves
        // unfilled would be lost though acknowledged.
        var disk = new HeldWriteDisk("Subject: held");
        await using var spool = SegmentSpool(disk: disk);
        spool.Initialize();
        static byte[] Filler(int lines) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('z', 78) + "\r\n", lines)));

        // The held write blocks the thread that makes it; released at the end either way, so the spool can stop.
        var held = Task.Run(() => CommitAsync(spool, Envelope(), Message("held")));
        try
        {
            await disk.HeldWriteEntered.WaitAsync(TimeSpan.FromSeconds(30));
            var after = CommitAsync(spool, Envelope(), [.. Message("after"), .. Filler(400)]);
            // 32 KB and 40 KB do not both fit in a segment of 64 KiB: this one starts the next segment.
            var next = await CommitAsync(spool, Envelope(), [.. Message("next segment"), .. Filler(500)]);

            // The record of the next segment was synced and acknowledged after the one behind the hole was waiting for
            // an fdatasync, in a pass that would have counted that one committed first had it been ready.
            Assert.NotEqual(spool.Segments!.TryReadEntry(next)!.FilePath, SegmentFiles()[0]);
            Assert.Equal(1, spool.Statistics.CommittedMessages);
            Assert.False(after.IsCompleted);
            Assert.False(held.IsCompleted);

            disk.ReleaseHeldWrite.Set();
            var ids = await Task.WhenAll(held, after);
            Assert.All(ids, id => Assert.Equal(SegmentFiles()[0], spool.Segments.TryReadEntry(id)!.FilePath));
        }
        finally
        {
            disk.ReleaseHeldWrite.Set();
        }
    }

    private Spool SegmentSpool(IDiskSync? disk = null, int maxSegments = 8) =>
        CreateSpool(_data.Path, _time, disk, segments: SmallSegments(maxSegments));

    private string[] SegmentFiles()
    {
        var directory = Path.Combine(_data.Path, "queue", "segments");
        return Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "*.seg").Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Commits ~20 KB messages until the <paramref name="count"/>th segment has one; their ids, per segment in order.</summary>
    private static async Task<List<List<string>>> FillSegmentsAsync(Spool spool, int count)
    {
        var bySegment = new List<List<string>>();
        var filler = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('y', 78) + "\r\n", 250)));
        string? lastPath = null;
        while (true)
        {
            var id = await CommitAsync(spool, Envelope(), [.. Message($"fill {bySegment.Count}"), .. filler]);
            var path = spool.Segments!.TryReadEntry(id)!.FilePath;
            if (path != lastPath)
            {
                bySegment.Add([]);
                lastPath = path;
            }

            bySegment[^1].Add(id);
            if (bySegment.Count == count)
            {
                return bySegment;
            }
        }
    }

    /// <summary>Holds the first fsync of the segments directory (a prepared segment just renamed into place) until released.</summary>
    private sealed class HeldSegmentDirectorySync : IDiskSync
    {
        private readonly PosixDiskSync _real = new();
        private int _held;

        public SemaphoreSlim Entered { get; } = new(0);

        public ManualResetEventSlim Release { get; } = new();

        public void SyncFile(SafeFileHandle file) => _real.SyncFile(file);

        public void SyncDirectory(string path)
        {
            if (path.EndsWith("segments", StringComparison.Ordinal) && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Entered.Release();
                Release.Wait(TimeSpan.FromSeconds(30));
            }

            _real.SyncDirectory(path);
        }
    }

    /// <summary>Holds the first fdatasync until released, and counts the record writes made meanwhile.</summary>
    /// <summary>Holds the segment write of the record that contains <c>marker</c> until released.</summary>
    private sealed class HeldWriteDisk(string marker) : IDiskSync
    {
        private readonly PosixDiskSync _real = new();
        private readonly byte[] _marker = Encoding.ASCII.GetBytes(marker);

        public SemaphoreSlim HeldWriteEntered { get; } = new(0);

        public ManualResetEventSlim ReleaseHeldWrite { get; } = new();

        public void SyncFile(SafeFileHandle file) => _real.SyncFile(file);

        public void SyncDirectory(string path) => _real.SyncDirectory(path);

        public void WriteAt(FileStream file, ReadOnlySpan<byte> data, long offset)
        {
            if (data.IndexOf(_marker) >= 0)
            {
                HeldWriteEntered.Release();
                ReleaseHeldWrite.Wait(TimeSpan.FromSeconds(30));
            }

            RandomAccess.Write(file.SafeFileHandle, data, offset);
        }
    }

    private sealed class GatedDisk : IDiskSync
    {
        private readonly PosixDiskSync _real = new();
        private int _dataSyncs;

        public SemaphoreSlim SyncEntered { get; } = new(0);

        public SemaphoreSlim Written { get; } = new(0);

        public ManualResetEventSlim Release { get; } = new();

        public int DataSyncs => Volatile.Read(ref _dataSyncs);

        public void SyncFile(SafeFileHandle file) => _real.SyncFile(file);

        public void SyncDirectory(string path) => _real.SyncDirectory(path);

        public void SyncData(FileStream file)
        {
            if (Interlocked.Increment(ref _dataSyncs) == 1)
            {
                SyncEntered.Release();
                Release.Wait(TimeSpan.FromSeconds(30));
            }

            ((IDiskSync)_real).SyncData(file);
        }

        public void WriteAt(FileStream file, ReadOnlySpan<byte> data, long offset)
        {
            RandomAccess.Write(file.SafeFileHandle, data, offset);
            if (Volatile.Read(ref _dataSyncs) > 0)
            {
                Written.Release();
            }
        }
    }
}
