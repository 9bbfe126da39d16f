using System.Globalization;
using System.Text;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using Microsoft.Extensions.Time.Testing;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue.Segments;

/// <summary><c>queue list</c>, <c>queue show</c> and <see cref="QueueReader"/> over messages kept in segment files.</summary>
public sealed class SegmentListingTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Queue_list_shows_each_segment_message_once_with_its_envelope_and_size_oldest_first_among_the_queue_files()
    {
        var time = new FakeTimeProvider(Start);
        await using var spool = CreateSpool(_data.Path, time);
        spool.Initialize();
        var segment = new TestSegment(_data.Path);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CommitAsync(spool, Envelope(), Message($"file {i}")));
            time.Advance(TimeSpan.FromSeconds(1));
            var id = TestSegment.IdAt(time.GetUtcNow(), seed: i);
            segment.Message(id, time.GetUtcNow(), Envelope("seg@example.com", "x@example.net", "y@example.org"), new byte[1500 + i]);
            ids.Add(id);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        segment.Write();

        var (exitCode, listing, errors) = List();

        Assert.Equal(QueueCommands.Success, exitCode);
        Assert.Empty(errors);
        var lines = listing.Split(Environment.NewLine);
        Assert.Equal(ids, lines.Where(l => l.Length > 16 && ids.Contains(l[..16])).Select(l => l[..16]));
        var second = Array.FindIndex(lines, l => l.StartsWith(ids[1], StringComparison.Ordinal));
        Assert.Equal($"{ids[1]}     1500 2026-03-14 09:26:54  seg@example.com", lines[second]);
        Assert.Equal("x@example.net", lines[second + 1].Trim());
        Assert.Equal("y@example.org", lines[second + 2].Trim());
        Assert.EndsWith("in 6 Requests.", listing.TrimEnd(), StringComparison.Ordinal);

        var entries = new QueueReader(_data.Path).ReadCommitted().Entries;
        Assert.Equal(ids, entries.Select(e => e.QueueId));
        var fromSegment = entries.Single(e => e.QueueId == ids[3]);
        Assert.Equal(1501, fromSegment.Size);
        Assert.Equal(["x@example.net", "y@example.org"], fromSegment.Envelope.Recipients);
        Assert.Equal(Start.AddSeconds(3), fromSegment.ArrivalTime);
    }

    [Fact]
    public void A_segment_message_whose_header_line_is_longer_than_the_first_read_is_read_whole()
    {
        var id = TestSegment.IdAt(Start);
        var recipients = Enumerable.Range(0, 400).Select(i => $"recipient-{i:D4}@example.net").ToArray();
        var content = Message("many recipients");
        var segment = new TestSegment(_data.Path)
            .Message(id, Start, Envelope("app@example.com", recipients), content)
            .Message(TestSegment.IdAt(Start.AddSeconds(1)), Start.AddSeconds(1), Envelope(), Message("next"));
        segment.Write();
        Assert.True(segment.Bodies[id].Length - content.Length > 8 * 1024);

        var entry = new QueueReader(_data.Path).ReadCommitted().Entries[0];

        Assert.Equal(id, entry.QueueId);
        Assert.Equal(recipients, entry.Envelope.Recipients);
        Assert.Equal(content.Length, entry.Size);
        Assert.Equal(content, ContentOf(entry));
    }

    [Fact]
    public void A_message_named_by_a_removal_record_is_not_listed()
    {
        var (first, second) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)));
        new TestSegment(_data.Path)
            .Message(first, Start, Envelope(), Message("removed"))
            .Message(second, Start.AddSeconds(1), Envelope(), Message("kept"))
            .Removal(first)
            .Write();

        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal(second, Assert.Single(snapshot.Entries).QueueId);
        Assert.Empty(snapshot.Unreadable);
        Assert.DoesNotContain(first, List().Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("half a record")]
    [InlineData("a checksum that does not match")]
    public void A_torn_or_damaged_record_ends_its_segment_without_an_error(string tail)
    {
        var (first, torn, after) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)), TestSegment.IdAt(Start.AddSeconds(2)));
        var segment = new TestSegment(_data.Path).Message(first, Start, Envelope(), Message("whole"));
        var record = new TestSegment(_data.Path).Message(torn, Start.AddSeconds(1), Envelope(), Message("torn"));
        var bytes = RecordBytes(record);
        if (tail == "half a record")
        {
            segment.Raw(bytes[..(bytes.Length / 2)]);
        }
        else
        {
            bytes[^3] ^= 0x20;
            segment.Raw(bytes).Message(after, Start.AddSeconds(2), Envelope(), Message("after the damage"));
        }

        segment.Write();

        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal(first, Assert.Single(snapshot.Entries).QueueId);
        Assert.Empty(snapshot.Unreadable);
        var (exitCode, listing, errors) = List();
        Assert.Equal(QueueCommands.Success, exitCode);
        Assert.Empty(errors);
        Assert.EndsWith("in 1 Request.", listing.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_copied_forward_into_a_queue_file_is_listed_once()
    {
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("copied"));
        segment.Write();
        Directory.CreateDirectory(_data.Active);
        File.WriteAllBytes(Path.Combine(_data.Active, id + ".msg"), segment.Bodies[id]);

        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);
        var listed = List().Output.Split(Environment.NewLine).Count(l => l.StartsWith(id, StringComparison.Ordinal));

        Assert.Equal(id, entry.QueueId);
        Assert.Null(entry.Segment);
        Assert.Equal(1, listed);
    }

    [Fact]
    public void A_queue_file_listed_beside_a_live_segment_message_of_its_id_is_handed_out_once_from_the_segment()
    {
        // The copy forward finished after the segments were read but before the directory was listed.
        var location = new SegmentLocation(1, 16, 100);
        var files = new OrderedQueueFiles(
            _data.Active,
            ["0000000000000003.msg", "0000000000000001.msg", "0000000000000002.msg"],
            new Dictionary<string, SegmentLocation>(StringComparer.Ordinal) { ["0000000000000002"] = location });

        var items = files.Items().ToList();

        Assert.Equal(3, files.MessageCount);
        Assert.Equal(["0000000000000001.msg", "0000000000000002.msg", "0000000000000003.msg"], items.Select(i => Path.GetFileName(i.Path)));
        Assert.Equal([null, location, null], items.Select(i => i.Segment));
    }

    [Fact]
    public void A_segment_retired_after_it_was_read_is_read_in_the_queue_file_it_was_copied_into()
    {
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path).Message(id, Start, Envelope(), Message("moved"));
        segment.Write();
        var location = Assert.Single(SegmentScan.Read(new SpoolLayout(_data.Path)).Live).Value;
        Directory.CreateDirectory(_data.Active);
        File.WriteAllBytes(Path.Combine(_data.Active, id + ".msg"), segment.Bodies[id]);
        File.Delete(segment.Path);

        using var segments = new SegmentEntryReader(new SpoolLayout(_data.Path));
        var entry = QueueReader.TryReadSegmentEntry(new SpoolLayout(_data.Path), segments, id, location, u => Assert.Fail(u.Problem));

        Assert.NotNull(entry);
        Assert.Equal(Path.Combine(_data.Active, id + ".msg"), entry.FilePath);
        Assert.Equal(Message("moved"), ContentOf(entry));
    }

    [Fact]
    public void A_record_that_checks_but_does_not_read_as_a_message_is_reported_and_the_rest_is_listed()
    {
        var id = TestSegment.IdAt(Start);
        new TestSegment(_data.Path)
            .Record(SegmentRecordType.Message, Encoding.ASCII.GetBytes("{\"v\":9}\nFrom: someone\r\n"))
            .Message(id, Start, Envelope(), Message("readable"))
            .Write();

        var snapshot = new QueueReader(_data.Path).ReadCommitted();
        var (_, listing, _) = List();

        Assert.Equal(id, Assert.Single(snapshot.Entries).QueueId);
        var unreadable = Assert.Single(snapshot.Unreadable);
        Assert.Equal("000000000001.seg@16", unreadable.FileName);
        Assert.Equal("unsupported format version 9", unreadable.Problem);
        Assert.Contains("000000000001.seg@16", listing, StringComparison.Ordinal);
        Assert.Contains(id, listing, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_whose_id_reads_but_whose_envelope_does_not_is_a_live_message_reported_by_its_place_and_pins_nothing()
    {
        var broken = TestSegment.IdAt(Start, seed: 2);
        var id = TestSegment.IdAt(Start.AddSeconds(1));
        new TestSegment(_data.Path)
            .Record(SegmentRecordType.Message, Encoding.ASCII.GetBytes(
                $"{{\"v\":1,\"id\":\"{broken}\",\"arrival\":\"2026-03-14T09:26:53Z\",\"recipients\":[\"a@example.net\"]}}\nFrom: x\r\n"))
            .Message(id, Start.AddSeconds(1), Envelope(), Message("readable"))
            .Write();

        var scan = SegmentScan.Read(new SpoolLayout(_data.Path), u => Assert.Fail($"{u.FileName}: {u.Problem}"));
        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal([broken, id], scan.Live.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(scan.Pinned);
        Assert.Equal(id, Assert.Single(snapshot.Entries).QueueId);
        var unreadable = Assert.Single(snapshot.Unreadable);
        Assert.Equal(("000000000001.seg@16", "header lacks \"sender\""), (unreadable.FileName, unreadable.Problem));
    }

    [Fact]
    public void Queue_show_shows_a_segment_message_with_its_own_headers_and_none_of_the_next_record()
    {
        var (shown, next) = (TestSegment.IdAt(Start), TestSegment.IdAt(Start.AddSeconds(1)));
        var content = Encoding.ASCII.GetBytes("Subject: headers only\r\nX-Tag: first\r\n");
        new TestSegment(_data.Path)
            .Message(shown, Start, Envelope("seg@example.com", "r@example.net"), content)
            .Message(next, Start.AddSeconds(1), Envelope(), Encoding.ASCII.GetBytes("X-Next: second\r\n\r\nbody\r\n"))
            .Write();

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = QueueCommands.RunShow(_data.Path, shown, stdout, stderr);

        Assert.Equal(QueueCommands.Success, exitCode);
        Assert.Empty(stderr.ToString());
        var output = stdout.ToString();
        Assert.Contains("Queue ID:   " + shown, output, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Size:       {content.Length}"), output, StringComparison.Ordinal);
        Assert.Contains("Sender:     <seg@example.com>", output, StringComparison.Ordinal);
        Assert.EndsWith($"Subject: headers only{Environment.NewLine}X-Tag: first{Environment.NewLine}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Next", output, StringComparison.Ordinal);
    }

    private static byte[] RecordBytes(TestSegment single)
    {
        var path = single.Write(zeroTail: 0);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    private (int ExitCode, string Output, string Errors) List()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = QueueCommands.RunList(_data.Path, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
