using System.Text;
using MailRelay.Handoff;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using MailRelay.Tests.Integration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue.Segments;

/// <summary>
/// With no daemon running, the offline changes (queue delete, hold, release, the handoff) first turn every live segment
/// message into a queue file of its own and remove the segments.
/// </summary>
public sealed class SegmentMaterializerTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private SpoolLayout Layout => new(_data.Path);

    [Fact]
    public void Every_live_message_becomes_a_queue_file_holding_its_record_body_and_the_segments_go()
    {
        var (a, removed, b) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)), TestSegment.IdAt(Start.AddSeconds(2)));
        var first = new TestSegment(_data.Path, 1)
            .Message(a, Start, Envelope(), Message("a"))
            .Message(removed, Start.AddSeconds(1), Envelope(), Message("removed"));
        first.Write();
        var second = new TestSegment(_data.Path, 2)
            .Removal(removed)
            .Message(b, Start.AddSeconds(2), Envelope("x@example.com", "y@example.net"), new byte[40_000]);
        second.Write();
        File.WriteAllBytes(Layout.PreparingSegmentPath(3), new byte[8192]);

        var copied = SegmentMaterializer.MaterializeAll(Layout, new PosixDiskSync());

        Assert.Equal(2, copied);
        Assert.Equal(first.Bodies[a], File.ReadAllBytes(Layout.ActivePath(a)));
        Assert.Equal(second.Bodies[b], File.ReadAllBytes(Layout.ActivePath(b)));
        Assert.False(File.Exists(Layout.ActivePath(removed)));
        Assert.Empty(Directory.GetFiles(Layout.SegmentsDirectory));
        Assert.Empty(_data.IncomingFiles());
        Assert.Equal([a, b], new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId));
    }

    [Fact]
    public void A_copied_message_whose_removal_record_outlived_its_queue_file_s_unlink_stays_gone()
    {
        // Copied forward, then removed: the removal record is durable, the queue file's unlink was cut short by a crash.
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("removed after its copy")).Removal(id);
        segment.Write();
        Directory.CreateDirectory(_data.Active);
        File.WriteAllBytes(Layout.ActivePath(id), segment.Bodies[id]);

        SegmentMaterializer.MaterializeAll(Layout, new PosixDiskSync());

        Assert.False(File.Exists(Layout.ActivePath(id)));
        Assert.Empty(Directory.GetFiles(Layout.SegmentsDirectory));
        Assert.Empty(new QueueReader(_data.Path).ReadCommitted().Entries);
    }

    [Fact]
    public void A_queue_file_already_there_wins_over_the_segment_record()
    {
        var id = TestSegment.IdAt(Start);
        new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("segment copy")).Write();
        Directory.CreateDirectory(_data.Active);
        var existing = TestSegment.Body(id, Start, Envelope(), Message("the queue file's copy"));
        File.WriteAllBytes(Layout.ActivePath(id), existing);

        var copied = SegmentMaterializer.MaterializeAll(Layout, new PosixDiskSync());

        Assert.Equal(0, copied);
        Assert.Equal(existing, File.ReadAllBytes(Layout.ActivePath(id)));
        Assert.Empty(Directory.GetFiles(Layout.SegmentsDirectory));
    }

    [Fact]
    public void No_segment_is_deleted_before_the_copies_are_durable()
    {
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("kept"));
        segment.Write();
        var disk = new FaultInjectingDiskSync();
        disk.Fail(DiskOperation.SyncDirectory, "active", count: 1);

        Assert.Throws<IOException>(() => SegmentMaterializer.MaterializeAll(Layout, disk));

        Assert.True(File.Exists(segment.Path));
        Assert.Equal(id, Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries).QueueId);

        // The next run settles it: the queue file wins and the segment goes.
        SegmentMaterializer.MaterializeAll(Layout, disk);
        Assert.False(File.Exists(segment.Path));
        Assert.Equal(segment.Bodies[id], File.ReadAllBytes(Layout.ActivePath(id)));
    }

    [Fact]
    public void Cancelled_midway_the_copies_made_are_durable_and_every_segment_stays()
    {
        var (first, second) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)));
        var segment = new TestSegment(_data.Path)
            .Message(first, Start, Envelope(), Message("copied"))
            .Message(second, Start.AddSeconds(1), Envelope(), Message("left in the segment"));
        segment.Write();
        using var deadline = new CancellationTokenSource();
        var disk = new CancelOnFirstMove(deadline);

        Assert.Throws<OperationCanceledException>(() => SegmentMaterializer.MaterializeAll(Layout, disk, cancellationToken: deadline.Token));

        Assert.Equal([Path.GetFullPath(_data.Active)], disk.SyncedDirectories.Select(Path.GetFullPath));
        Assert.Equal(segment.Bodies[first], File.ReadAllBytes(Layout.ActivePath(first)));
        Assert.False(File.Exists(Layout.ActivePath(second)));
        Assert.True(File.Exists(segment.Path));
        Assert.Equal([first, second], new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId));
    }

    [Fact]
    public void A_segment_with_a_record_that_does_not_read_and_every_later_one_are_kept()
    {
        var (a, b, c, removedLater) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)), TestSegment.IdAt(Start.AddSeconds(2)),
            TestSegment.IdAt(Start.AddSeconds(3)));
        var older = new TestSegment(_data.Path, 1).Message(a, Start, Envelope(), Message("a"));
        older.Write();
        var pinned = new TestSegment(_data.Path, 2)
            .Record(SegmentRecordType.Message, Encoding.ASCII.GetBytes("{\"v\":9}\n"))
            .Message(b, Start.AddSeconds(1), Envelope(), Message("b"))
            .Message(removedLater, Start.AddSeconds(3), Envelope(), Message("removed in the next segment"));
        pinned.Write();
        var later = new TestSegment(_data.Path, 3).Message(c, Start.AddSeconds(2), Envelope(), Message("c")).Removal(removedLater);
        later.Write();

        var copied = SegmentMaterializer.MaterializeAll(Layout, new PosixDiskSync());

        Assert.Equal(3, copied);
        Assert.False(File.Exists(older.Path));
        Assert.True(File.Exists(pinned.Path));
        Assert.True(File.Exists(later.Path));
        Assert.False(File.Exists(Layout.ActivePath(removedLater)));
        Assert.Equal([a, b, c], new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId));
    }

    [Fact]
    public void Offline_queue_delete_removes_a_segment_message_for_good_and_hold_reaches_another()
    {
        var (deleted, held) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)));
        var segment = new TestSegment(_data.Path)
            .Message(deleted, Start, Envelope(), Message("deleted"))
            .Message(held, Start.AddSeconds(1), Envelope(), Message("held"));
        segment.Write();
        var time = new FakeTimeProvider(Start);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(QueueCommands.Success, QueueCommands.RunChange(_data.Path, ControlCommand.Delete, deleted, time, stdout, stderr));
        Assert.Equal(QueueCommands.Success, QueueCommands.RunChange(_data.Path, ControlCommand.Hold, held, time, stdout, stderr));

        Assert.Empty(stderr.ToString());
        Assert.False(File.Exists(segment.Path));
        Assert.DoesNotContain(deleted, SegmentScan.Read(Layout).Live.Keys);
        Assert.Equal(held, Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries).QueueId);
        Assert.True(MessageStateLog.Read(Layout.StatePath(held)).Held);
        using var listing = new StringWriter();
        QueueCommands.RunList(_data.Path, listing, stderr);
        Assert.DoesNotContain(deleted, listing.ToString(), StringComparison.Ordinal);
        Assert.Equal(QueueCommands.Failure, QueueCommands.RunShow(_data.Path, deleted, stdout, stderr));
    }

    [Fact]
    public async Task A_handoff_whose_deadline_passes_while_copying_reports_it_and_keeps_the_segment_messages()
    {
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("not yet copied"));
        segment.Write();
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();

        // No peer listens on port 9: nothing is sent once the deadline has passed.
        var result = await QueueHandoff.RunAsync(
            _data.Path, "127.0.0.1", 9, "leaving.test.example", new FakeTimeProvider(Start), NullLogger.Instance, new PosixDiskSync(), deadline.Token);

        Assert.Equal(new HandoffResult(0, 1, "the handoff deadline passed"), result);
        Assert.True(File.Exists(segment.Path));
        Assert.Equal(id, Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries).QueueId);
    }

    [Fact]
    public async Task Offline_handoff_hands_a_segment_message_to_the_peer_and_keeps_no_copy()
    {
        // The peer keeps what it takes (its next hops are unreachable, so nothing is delivered or bounced meanwhile).
        await using var peer = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_NETWORKS"] = "none",
            ["HANDOFF_PEERS"] = "127.0.0.1/32",
            ["DELIVERY_ROUTES"] = TestNetwork.UnreachableRoutes,
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        });
        // Arrived a minute ago: the peer counts its queue lifetime from the first arrival, so an older message would
        // bounce there at its first attempt.
        var arrival = DateTimeOffset.UtcNow.AddMinutes(-1);
        var id = TestSegment.IdAt(arrival);
        var content = Message("handed over from a segment");
        var segment = new TestSegment(_data.Path)
            .Message(id, arrival, Envelope("app@example.com", "user@elsewhere.example"), content)
            .Message(TestSegment.IdAt(arrival.AddSeconds(1)), arrival.AddSeconds(1), Envelope(), Message("next"))
            .Removal(TestSegment.IdAt(arrival.AddSeconds(1)));
        segment.Write();

        var result = await QueueHandoff.RunAsync(
            _data.Path, "127.0.0.1", peer.SmtpEndPoint.Port, "leaving.test.example", new FakeTimeProvider(Start), NullLogger.Instance, CancellationToken.None);

        Assert.True(result.Complete, result.Problem);
        Assert.Equal(1, result.HandedOver);
        var arrived = Assert.Single(new QueueReader(peer.Data.Path).ReadCommitted().Entries);
        Assert.Equal(["user@elsewhere.example"], arrived.Envelope.Recipients);
        Assert.Equal(arrival.ToUnixTimeMilliseconds(), arrived.ArrivalTime.ToUnixTimeMilliseconds());
        // The peer puts its Received field in front; the rest is the segment's message byte for byte.
        var stored = ContentOf(arrived);
        Assert.StartsWith("Received: ", Encoding.ASCII.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(content, stored[^content.Length..]);
        Assert.Empty(new QueueReader(_data.Path).ReadCommitted().Entries);
        Assert.Empty(Directory.GetFiles(Layout.SegmentsDirectory));
    }

    /// <summary>The real file operations; the first rename into place cancels <paramref name="deadline"/>.</summary>
    private sealed class CancelOnFirstMove(CancellationTokenSource deadline) : IDiskSync
    {
        private readonly PosixDiskSync _real = new();

        public List<string> SyncedDirectories { get; } = [];

        public void SyncFile(Microsoft.Win32.SafeHandles.SafeFileHandle file) => _real.SyncFile(file);

        public void SyncDirectory(string path)
        {
            SyncedDirectories.Add(path);
            _real.SyncDirectory(path);
        }

        public void Move(string source, string destination)
        {
            File.Move(source, destination, overwrite: false);
            deadline.Cancel();
        }
    }
}
