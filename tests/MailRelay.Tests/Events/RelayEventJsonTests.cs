using System.Text;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Events;

/// <summary>
/// The JSON line of an event, as the outbox stores it and the webhooks send it (docs/events.md), pinned byte for byte:
/// receivers verify signatures over these bytes and outboxes on disk hold lines written by earlier releases.
/// </summary>
public sealed class RelayEventJsonTests : IDisposable
{
    /// <summary>Every field set: names in this order, the time in UTC, the delay to milliseconds, details sorted by key (ordinal), quotes, HTML-sensitive and non-ASCII characters escaped as <c>\uXXXX</c>.</summary>
    private const string FullLine =
        """{"seq":42,"id":"b7e3c1d2","type":"bounced","time":"2026-03-01T10:00:00.1234567+00:00","queue_id":"Q1","message_id":"order-42@shop.example","client_id":"c\u002B1","sender":"app\u002Btag@shop.example","recipient":"jos\u00E9@example.net","next_hop":"mx.example.net[192.0.2.1]:25","remote_reply":"550 5.1.1 \u003Cjos\u00E9@example.net\u003E: \u0027no\u0027 \u0026 \u0022gone\u0022","dsn_status":"5.1.1","attempt":3,"delay_seconds":1.235,"details":{"B":"upper","a":"first","b":"second"}}""";

    /// <summary>Only what every event has: the rest is left out, empty details too.</summary>
    private const string MinimalLine = """{"seq":1,"id":"relay-1","type":"blocklist_listed","time":"2026-03-01T12:00:00+00:00"}""";

    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static RelayEvent Full => new()
    {
        Id = "b7e3c1d2",
        Type = RelayEventTypes.Bounced,
        Time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567),
        QueueId = "Q1",
        MessageId = "order-42@shop.example",
        ClientId = "c+1",
        Sender = "app+tag@shop.example",
        Recipient = "josé@example.net",
        NextHop = "mx.example.net[192.0.2.1]:25",
        RemoteReply = "550 5.1.1 <josé@example.net>: 'no' & \"gone\"",
        DsnStatus = "5.1.1",
        Attempt = 3,
        DelaySeconds = 1.23456,
        Details = new Dictionary<string, string> { ["b"] = "second", ["a"] = "first", ["B"] = "upper" },
    };

    private static RelayEvent Minimal => new()
    {
        Id = "relay-1",
        Type = RelayEventTypes.BlocklistListed,
        Time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        Details = new Dictionary<string, string>(),
    };

    [Fact]
    public void An_event_with_every_field_is_written_as_the_pinned_line()
    {
        Assert.Equal(FullLine, Encoding.UTF8.GetString(RelayEventJson.Serialize(Full, 42)));
    }

    [Fact]
    public void Fields_without_a_value_are_left_out()
    {
        Assert.Equal(MinimalLine, Encoding.UTF8.GetString(RelayEventJson.Serialize(Minimal, 1)));
    }

    [Fact]
    public void The_pinned_lines_read_back_as_their_events()
    {
        var (sequence, full) = RelayEventJson.Parse(Encoding.UTF8.GetBytes(FullLine))!.Value;

        Assert.Equal(42, sequence);
        Assert.Equal(Full with { DelaySeconds = 1.235, Details = full.Details }, full);
        Assert.Equal(TimeSpan.Zero, full.Time.Offset);
        Assert.Equal([("B", "upper"), ("a", "first"), ("b", "second")], full.Details!.Select(p => (p.Key, p.Value)));

        var (minimalSequence, minimal) = RelayEventJson.Parse(Encoding.UTF8.GetBytes(MinimalLine))!.Value;
        Assert.Equal(1, minimalSequence);
        Assert.Equal(Minimal with { Details = null }, minimal);
    }

    [Fact]
    public void A_line_read_back_is_written_again_to_the_same_bytes()
    {
        foreach (var line in new[] { FullLine, MinimalLine })
        {
            var (sequence, relayEvent) = RelayEventJson.Parse(Encoding.UTF8.GetBytes(line))!.Value;

            Assert.Equal(line, Encoding.UTF8.GetString(RelayEventJson.Serialize(relayEvent, sequence)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"seq":3,"id":"abc","ty""")]
    [InlineData("""{"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":0,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":"1","id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":1.5,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":1,"id":"","type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":1,"type":"delivered","time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":1,"id":"a","type":null,"time":"2026-03-01T12:00:00+00:00"}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":"yesterday"}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":null}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00","attempt":"2"}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00","recipient":5}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00","details":{"k":1}}""")]
    [InlineData("""{"seq":1,"id":"a","type":"delivered","time":"2026-03-01T12:00:00+00:00"} x""")]
    public void A_line_that_is_not_an_event_reads_as_none(string line)
    {
        Assert.Null(RelayEventJson.Parse(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void Unknown_fields_are_passed_over_and_a_missing_time_is_the_default()
    {
        var parsed = RelayEventJson.Parse(Encoding.UTF8.GetBytes("""{"seq":7,"id":"a","type":"delivered","future":{"x":[1,2]},"queue_id":null}"""));

        var (sequence, relayEvent) = Assert.NotNull(parsed);
        Assert.Equal(7, sequence);
        Assert.Equal(new RelayEvent { Id = "a", Type = "delivered", Time = default }, relayEvent);
    }

    [Fact]
    public async Task An_outbox_written_by_the_earlier_release_reads_back_and_continues_its_numbering()
    {
        var directory = Path.Combine(_data.Path, "events");
        Directory.CreateDirectory(directory);
        var segment = Path.Combine(directory, "segment-0000000000000000001.jsonl");
        var earlier = new[] { MinimalLine, FullLine.Replace("\"seq\":42,", "\"seq\":2,", StringComparison.Ordinal) };
        await File.WriteAllTextAsync(segment, string.Join('\n', earlier) + "\n");

        await using var outbox = new EventOutbox(_data.Path, new PosixDiskSync(), NullLogger.Instance, null, () => [], EventOutbox.DefaultMaxSegmentBytes);
        outbox.Open();

        Assert.Equal(3, outbox.NextSequence);
        var records = outbox.Read(1, 10);
        Assert.Equal([1L, 2], records.Select(r => r.Sequence));
        Assert.Equal(earlier, records.Select(r => Encoding.UTF8.GetString(r.Json.Span)));
        Assert.Equal(["relay-1", "b7e3c1d2"], records.Select(r => r.Id));
        Assert.Equal([RelayEventTypes.BlocklistListed, RelayEventTypes.Bounced], records.Select(r => r.Type));
        Assert.Equal([null, "Q1"], records.Select(r => r.QueueId));
        Assert.Equal([Minimal.Time, Full.Time], records.Select(r => r.Time));

        await outbox.AppendAsync([Minimal with { Id = "relay-3" }]);
        Assert.Equal(
            MinimalLine.Replace("\"seq\":1,", "\"seq\":3,", StringComparison.Ordinal).Replace("relay-1", "relay-3", StringComparison.Ordinal),
            Encoding.UTF8.GetString(outbox.Read(3, 1).Single().Json.Span));
    }
}
