using System.Text;
using MailRelay.Delivery.Dsn;
using MailRelay.Delivery.Transport;
using MailRelay.Dkim;
using MailRelay.Events;
using MailRelay.Queue;
using MailRelay.Tests.Dkim;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Prometheus;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue.Segments;

/// <summary>
/// Delivery, DSNs, DKIM and delivery events read exactly a segment message's bytes, never the record after it, and
/// still find them in the queue file it was copied into once its segment is gone.
/// </summary>
public sealed class SegmentContentTests(SignedKeysFixture keys) : IClassFixture<SignedKeysFixture>, IDisposable
{
    private const string NextRecord = "NEXT RECORD";
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData(false, 2 * 1024)]
    [InlineData(false, 100 * 1024)]
    [InlineData(true, 2 * 1024)]
    [InlineData(true, 100 * 1024)]
    public async Task A_loaded_message_is_the_message_s_bytes_exactly(bool segmentRetired, int size)
    {
        var content = Compose("From: app@example.com\r\nTo: user@example.net\r\nSubject: loaded\r\n", size);
        var entry = Queue(content, segmentRetired);

        await using var loaded = await LoadedMessage.OpenAsync(entry, signer: null, CancellationToken.None);

        Assert.Equal(content.Length, loaded.Size);
        Assert.Equal(content, Serialize(loaded.Message));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_DSN_returns_the_whole_message_and_nothing_after_it(bool segmentRetired)
    {
        var content = Compose("From: app@example.com\r\nTo: user@example.net\r\nSubject: returned\r\n", 3000);
        var entry = Queue(content, segmentRetired, new SpoolEnvelope { Sender = "app@example.com", Recipients = ["user@example.net"], Return = DsnReturn.Full });

        var dsn = MimeMessage.Load(new MemoryStream(DsnBuilder.Build(
            entry, [new DsnRecipient("user@example.net", DsnAction.Failed, "5.1.1", "mx.example.net", "550 5.1.1 no such user", Start)],
            "relay.example.com", Start)));

        var returned = Assert.IsType<MessagePart>(((MultipartReport)dsn.Body!)[2]).Message!;
        Assert.Equal("returned", returned.Subject);
        Assert.Equal(content, Serialize(returned));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_DKIM_signature_covers_the_message_s_bytes_exactly(bool segmentRetired)
    {
        var content = Compose("From: someone@example.com\r\nTo: bob@example.net\r\nSubject: signed\r\n", 5000);
        var entry = Queue(content, segmentRetired);
        var signer = new DkimMessageSigner(
            keys.Store, new FakeTimeProvider(Start), new DkimMetrics(Metrics.NewCustomRegistry()), NullLogger<DkimMessageSigner>.Instance);

        var result = await signer.SignAsync(entry, CancellationToken.None);

        Assert.Equal("example.com", result.Domain);
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), [.. result.HeaderField!, .. content]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_correlation_fields_come_from_the_message_s_own_header_section(bool segmentRetired)
    {
        // A header section without its blank line: only the message's end stops the read.
        var entry = Queue(Encoding.ASCII.GetBytes("X-Client-Id: mine\r\n"), segmentRetired);

        var found = MessageCorrelation.Read(entry, "X-Client-Id");

        Assert.Equal("mine", found.ClientId);
        Assert.Null(found.MessageId);
    }

    /// <summary>A message of about <paramref name="size"/> bytes: <paramref name="headers"/>, a blank line, numbered lines.</summary>
    private static byte[] Compose(string headers, int size)
    {
        var text = new StringBuilder(headers).Append("\r\n");
        for (var i = 0; text.Length < size; i++)
        {
            text.Append("line ").Append(i).Append(" of the message body\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Serialize(MimeMessage message)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        message.WriteTo(options, output);
        return output.ToArray();
    }

    /// <summary>
    /// The entry of <paramref name="content"/> kept in a segment, a record after it whose bytes would show if read; with
    /// <paramref name="segmentRetired"/> the message was then copied forward and its segment deleted.
    /// </summary>
    private QueueEntry Queue(byte[] content, bool segmentRetired, SpoolEnvelope? envelope = null)
    {
        var id = TestSegment.IdAt(Start);
        var segment = new TestSegment(_data.Path)
            .Message(id, Start, envelope ?? Envelope(), content)
            .Message(TestSegment.IdAt(Start.AddSeconds(1)), Start.AddSeconds(1), Envelope(),
                Encoding.ASCII.GetBytes($"Message-ID: <next@example.net>\r\nX-Client-Id: theirs\r\n\r\n{NextRecord}\r\n"));
        segment.Write();
        var entry = new QueueReader(_data.Path).ReadCommitted().Entries.Single(e => e.QueueId == id);
        Assert.NotNull(entry.Segment);
        if (segmentRetired)
        {
            Directory.CreateDirectory(_data.Active);
            File.WriteAllBytes(Path.Combine(_data.Active, id + ".msg"), segment.Bodies[id]);
            File.Delete(segment.Path);
        }

        return entry;
    }
}
