using System.Text;
using MailRelay.Queue;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>
/// A queue file for a test: a stand-in envelope header followed by the message bytes, so that reading
/// from <see cref="QueueEntry.ContentOffset"/> (and not from the start) is part of what is tested.
/// </summary>
internal sealed class TestQueueFile : IDisposable
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("TEST-ENVELOPE-HEADER sender recipients state\n\n");

    private readonly string _directory;

    public TestQueueFile(byte[] content, SpoolEnvelope envelope)
    {
        _directory = Directory.CreateTempSubdirectory("mailrelay-transport-").FullName;
        var path = Path.Combine(_directory, "0000000000000001");
        File.WriteAllBytes(path, [.. Header, .. content]);
        Content = content;
        Entry = new QueueEntry
        {
            QueueId = "0000000000000001",
            ArrivalTime = DateTimeOffset.UnixEpoch,
            Size = content.Length,
            Envelope = envelope,
            FormatVersion = 1,
            FilePath = path,
            ContentOffset = Header.Length,
        };
    }

    public byte[] Content { get; }

    public QueueEntry Entry { get; }

    public static TestQueueFile Create(string content, string sender = "sender@origin.test", MessageBodyType body = MessageBodyType.SevenBit, bool smtpUtf8 = false, params string[] recipients) =>
        new(Encoding.UTF8.GetBytes(content), new SpoolEnvelope
        {
            Sender = sender,
            Recipients = recipients.Length > 0 ? recipients : ["someone@dest.test"],
            Body = body,
            SmtpUtf8 = smtpUtf8,
        });

    public static TestQueueFile Create(string content, SpoolEnvelope envelope) => new(Encoding.UTF8.GetBytes(content), envelope);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
