using System.Text;
using System.Text.Json;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using Microsoft.Extensions.Logging.Abstractions;
using static MailRelay.Tests.Events.EventFixtures;

namespace MailRelay.Tests.Events;

/// <summary>The outbox on its own: numbering, reading, recovery, segments, cursors, group commit and a failing disk.</summary>
public sealed class EventOutboxTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDataDirectory _data = new();

    private string EventsDirectory => Path.Combine(_data.Path, "events");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Appends_are_numbered_from_1_in_order_and_read_back_from_any_sequence()
    {
        await using var outbox = Open();
        await outbox.AppendAsync(Many("A1", 2));
        await outbox.AppendAsync([Delivered("A2", "x@example.net")]);
        await outbox.AppendAsync(Many("A3", 3));

        Assert.Equal(7, outbox.NextSequence);
        var all = outbox.Read(1, 100);
        Assert.Equal([1L, 2, 3, 4, 5, 6], all.Select(r => r.Sequence));
        Assert.Equal(["A1", "A1", "A2", "A3", "A3", "A3"], all.Select(r => r.QueueId));
        Assert.Equal([3L, 4], outbox.Read(3, 2).Select(r => r.Sequence));
        Assert.Equal([5L, 6], outbox.Read(5, 10).Select(r => r.Sequence));
        Assert.Empty(outbox.Read(7, 10));

        using var json = JsonDocument.Parse(all[2].Json);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("seq").GetInt64());
        Assert.Equal(RelayEventIds.ForRecipient("delivered", "A2", "x@example.net", 1), root.GetProperty("id").GetString());
        Assert.Equal("A2@example.com", root.GetProperty("message_id").GetString());
        Assert.Equal("client-A2", root.GetProperty("client_id").GetString());
        Assert.Equal("mx.example.net[192.0.2.1]:25", root.GetProperty("next_hop").GetString());
        Assert.Equal("250 2.0.0 ok", root.GetProperty("remote_reply").GetString());
        Assert.Equal("2.0.0", root.GetProperty("dsn_status").GetString());
        Assert.Equal(1, root.GetProperty("attempt").GetInt32());
        Assert.Equal(1.5, root.GetProperty("delay_seconds").GetDouble());
        Assert.False(root.TryGetProperty("details", out _));
    }

    [Fact]
    public async Task Numbering_continues_after_a_restart()
    {
        await using (var first = Open())
        {
            await first.AppendAsync(Many("B1", 3));
        }

        await using var second = Open();
        Assert.Equal(4, second.NextSequence);
        await second.AppendAsync([Delivered("B2", "y@example.net")]);
        Assert.Equal([1L, 2, 3, 4], second.Read(1, 10).Select(r => r.Sequence));
    }

    [Fact]
    public async Task A_torn_last_line_is_cut_at_start_and_the_next_event_follows_the_last_whole_one()
    {
        await using (var first = Open())
        {
            await first.AppendAsync(Many("C1", 2));
        }

        var segment = Assert.Single(Segments());
        var whole = File.ReadAllBytes(segment);
        File.AppendAllText(segment, "{\"seq\":3,\"id\":\"abc\",\"ty");

        await using var second = Open();
        Assert.Equal(3, second.NextSequence);
        Assert.Equal(whole, File.ReadAllBytes(segment));
        await second.AppendAsync([Delivered("C2", "z@example.net")]);

        var lines = File.ReadAllLines(segment);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.NotNull(RelayEventJson.Parse(Encoding.UTF8.GetBytes(l))));
        Assert.Equal([1L, 2, 3], second.Read(1, 10).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Segments_roll_by_size_and_are_deleted_once_every_registered_consumer_is_past_them()
    {
        await using var outbox = Open(maxSegmentBytes: 600);
        Assert.Equal(1, outbox.Register("hooks-a"));
        Assert.Equal(1, outbox.Register("hooks-b"));
        outbox.ConsumersSettled();
        for (var i = 0; i < 12; i++)
        {
            await outbox.AppendAsync([Delivered("D" + i, "r@example.net")]);
        }

        var before = Segments();
        Assert.True(before.Length >= 4, $"{before.Length} segments");

        outbox.Acknowledge("hooks-a", 13);
        Assert.Equal(before, Segments());

        // b is past the events of the first segments only: those go, the one holding event 7 stays.
        outbox.Acknowledge("hooks-b", 7);
        var after = Segments();
        Assert.True(after.Length < before.Length);
        var firstRead = outbox.Read(1, 100);
        Assert.True(firstRead[0].Sequence <= 7, $"event 7 was deleted (first retained {firstRead[0].Sequence})");
        Assert.Equal(12, firstRead[^1].Sequence);

        outbox.Acknowledge("hooks-b", 13);
        Assert.Equal([before[^1]], Segments());
    }

    [Fact]
    public async Task Cursors_survive_a_restart_and_a_new_consumer_starts_at_the_first_retained_event()
    {
        await using (var first = Open())
        {
            first.Register("hooks");
            await first.AppendAsync(Many("E1", 5));
            first.Acknowledge("hooks", 4);
        }

        await using var second = Open();
        Assert.Equal(4, second.Register("hooks"));
        Assert.Equal(1, second.Register("other"));
        Assert.Single(Directory.GetFiles(Path.Combine(EventsDirectory, "cursors"), Uri.EscapeDataString("hooks") + ".*"));
    }

    [Fact]
    public async Task Without_a_consumer_only_the_segment_being_written_is_kept()
    {
        await using var outbox = Open(maxSegmentBytes: 600);
        outbox.ConsumersSettled();
        for (var i = 0; i < 12; i++)
        {
            await outbox.AppendAsync([Delivered("F" + i, "r@example.net")]);
        }

        Assert.Single(Segments());
        Assert.Equal(13, outbox.NextSequence);
    }

    [Fact]
    public async Task Nothing_is_deleted_before_the_consumers_are_settled()
    {
        await using var outbox = Open(maxSegmentBytes: 600);
        for (var i = 0; i < 12; i++)
        {
            await outbox.AppendAsync([Delivered("G" + i, "r@example.net")]);
        }

        Assert.Equal(12, outbox.Read(1, 100).Count);
        var rolled = Segments().Length;
        Assert.True(rolled > 1);
        outbox.Register("late");
        outbox.ConsumersSettled();
        Assert.Equal(rolled, Segments().Length);
        Assert.Equal(1, outbox.Read(1, 1)[0].Sequence);
    }

    [Fact]
    public async Task Appends_written_during_an_fsync_share_the_next_one()
    {
        var disk = new HoldingDiskSync();
        await using var outbox = Open(disk);
        using var release = new ManualResetEventSlim();
        var held = disk.HoldNextSync(release);
        var first = outbox.AppendAsync([Delivered("H0", "r@example.net")]).AsTask();
        await held.WaitAsync(Patience);

        var others = Enumerable.Range(1, 20).Select(i => outbox.AppendAsync([Delivered("H" + i, "r@example.net")]).AsTask()).ToList();
        Assert.All(others, t => Assert.False(t.IsCompleted));
        Assert.Equal(1, outbox.NextSequence);
        release.Set();
        await Task.WhenAll(others.Append(first)).WaitAsync(Patience);

        Assert.Equal(2, disk.FileSyncs);
        Assert.Equal(22, outbox.NextSequence);
    }

    [Fact]
    public async Task A_failed_write_fails_the_append_leaves_no_partial_line_and_numbering_goes_on()
    {
        var disk = new FaultInjectingDiskSync();
        await using var outbox = Open(disk);
        await outbox.AppendAsync(Many("I1", 2));
        var length = new FileInfo(Assert.Single(Segments())).Length;

        disk.Fail(DiskOperation.Write, "events", count: 1);
        await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync(Many("I2", 3)).AsTask());
        Assert.Equal(length, new FileInfo(Segments()[0]).Length);
        Assert.Equal(3, outbox.NextSequence);

        await outbox.AppendAsync([Delivered("I3", "r@example.net")]);
        Assert.Equal([1L, 2, 3], outbox.Read(1, 10).Select(r => r.Sequence));
        Assert.Equal("I3", outbox.Read(3, 1)[0].QueueId);
    }

    [Fact]
    public async Task A_write_torn_by_a_full_disk_whose_cut_also_fails_is_cut_by_the_next_append()
    {
        var disk = new TearingDiskSync();
        await using var outbox = Open(disk);
        await outbox.AppendAsync(Many("J1", 1));
        disk.TearNextWrite = true;
        disk.FailTruncate = true;
        await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync(Many("J2", 2)).AsTask());

        // The disk still refuses the cut: no event may go after the half line.
        await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync(Many("J3", 1)).AsTask());
        disk.FailTruncate = false;
        await outbox.AppendAsync(Many("J4", 1));

        var lines = File.ReadAllLines(Assert.Single(Segments()));
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.NotNull(RelayEventJson.Parse(Encoding.UTF8.GetBytes(l))));
        Assert.Equal(["J1", "J4"], outbox.Read(1, 10).Select(r => r.QueueId));
    }

    [Fact]
    public async Task A_failed_fsync_fails_the_append_and_listeners_hear_only_of_durable_events()
    {
        var disk = new FaultInjectingDiskSync();
        var listener = new RecordingListener();
        await using var outbox = Open(disk, listener: listener);
        await outbox.AppendAsync(Many("K1", 2));
        disk.Fail(DiskOperation.SyncFile, "events", count: 1);
        await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync([Delivered("K2", "r@example.net")]).AsTask());
        await outbox.AppendAsync([Delivered("K3", "r@example.net")]);

        Assert.Equal(["K1", "K1", "K3"], listener.Events.Select(e => e.QueueId));
    }

    [Fact]
    public async Task WaitBeyond_completes_once_a_later_event_is_durable()
    {
        await using var outbox = Open();
        var waiting = outbox.WaitBeyondAsync(1, CancellationToken.None);
        await outbox.AppendAsync(Many("L1", 1));
        Assert.False(waiting.IsCompleted);
        await outbox.AppendAsync(Many("L2", 1));
        await waiting.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_metrics_count_appends_by_type_and_failures_and_measure_the_segments_on_disk()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var disk = new FaultInjectingDiskSync();
        await using var outbox = new EventOutbox(_data.Path, disk, NullLogger.Instance, new EventMetrics(registry), maxSegmentBytes: 600);
        outbox.Open();
        await outbox.AppendAsync(Many("M1", 3));
        await outbox.AppendAsync([Delivered("M2", "x@example.net") with { Type = RelayEventTypes.Bounced }]);
        disk.Fail(DiskOperation.Write, "events", count: 1);
        await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync(Many("M3", 1)).AsTask());

        using var output = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(output);
        var samples = MailRelay.Tests.Integration.MetricSample.ParseAll(Encoding.UTF8.GetString(output.ToArray()));
        double Value(string name, string? type = null) =>
            samples.Single(s => s.Name == name && (type is null || s.Labels["type"] == type)).Value;

        Assert.Equal(3, Value("mailrelay_events_appended_total", "delivered"));
        Assert.Equal(1, Value("mailrelay_events_appended_total", "bounced"));
        Assert.Equal(0, Value("mailrelay_events_appended_total", "expired"));
        Assert.Equal(1, Value("mailrelay_events_append_failures_total"));
        Assert.Equal(Segments().Length, Value("mailrelay_events_outbox_segments"));
        Assert.Equal(Segments().Sum(f => new FileInfo(f).Length), Value("mailrelay_events_outbox_bytes"));
    }

    private EventOutbox Open(IDiskSync? disk = null, long maxSegmentBytes = EventOutbox.DefaultMaxSegmentBytes, IRelayEventListener? listener = null)
    {
        var outbox = new EventOutbox(
            _data.Path, disk ?? new PosixDiskSync(), NullLogger.Instance, null, () => listener is null ? [] : [listener], maxSegmentBytes);
        outbox.Open();
        return outbox;
    }

    private string[] Segments() => [.. Directory.GetFiles(EventsDirectory, "segment-*.jsonl").Order(StringComparer.Ordinal)];

    private sealed class RecordingListener : IRelayEventListener
    {
        private readonly List<RelayEvent> _events = [];

        public IReadOnlyList<RelayEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void OnEvents(IReadOnlyList<RelayEvent> events)
        {
            lock (_events)
            {
                _events.AddRange(events);
            }
        }
    }

    /// <summary>A disk that fills up in the middle of a write (half of it lands) and may refuse truncation.</summary>
    private sealed class TearingDiskSync : IDiskSync
    {
        private readonly PosixDiskSync _real = new();

        public bool TearNextWrite { get; set; }

        public bool FailTruncate { get; set; }

        public void SyncFile(Microsoft.Win32.SafeHandles.SafeFileHandle file) => _real.SyncFile(file);

        public void SyncDirectory(string path) => _real.SyncDirectory(path);

        public void Write(FileStream file, ReadOnlySpan<byte> data)
        {
            if (TearNextWrite)
            {
                TearNextWrite = false;
                file.Write(data[..(data.Length / 2)]);
                throw new IOException("No space left on device", 28);
            }

            file.Write(data);
        }

        public void Truncate(FileStream file, long length)
        {
            if (FailTruncate)
            {
                throw new IOException("Input/output error", 5);
            }

            file.SetLength(length);
        }
    }
}
