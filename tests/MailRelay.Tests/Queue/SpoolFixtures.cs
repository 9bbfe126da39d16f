using System.Text;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Queue;

/// <summary>Shared builders for spool tests.</summary>
internal static class SpoolFixtures
{
    public static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static SpoolEnvelope Envelope(string sender = "app@example.com", params string[] recipients) => new()
    {
        Sender = sender,
        Recipients = recipients.Length == 0 ? ["user@example.net"] : recipients,
        ClientAddress = "127.0.0.1",
        HeloName = "client.example.com",
    };

    public static Spool CreateSpool(
        string dataDirectory,
        TimeProvider? time = null,
        IDiskSync? diskSync = null,
        int maxBatchSize = Spool.DefaultMaxBatchSize,
        Action<int>? waitingChanged = null,
        SegmentOptions? segments = null) =>
        new(dataDirectory, time ?? new FakeTimeProvider(Start), NullLogger.Instance,
            diskSync ?? new PosixDiskSync(), new Random(1), maxBatchSize, waitingChanged, segments);

    /// <summary>Segments as small as a record of the largest size allows, so a few messages fill one.</summary>
    public static SegmentOptions SmallSegments(int maxSegments = 8) => new()
    {
        SegmentSize = SegmentRecord.HeaderLength + SegmentOptions.LargestRecord,
        MaxSegments = maxSegments,
    };

    public static byte[] Message(string subject) =>
        Encoding.ASCII.GetBytes($"From: app@example.com\r\nTo: user@example.net\r\nSubject: {subject}\r\n\r\nHello.\r\n");

    public static async Task<string> CommitAsync(Spool spool, SpoolEnvelope envelope, byte[] content)
    {
        await using var writer = await spool.BeginAsync(envelope);
        await writer.WriteAsync(content);
        return await writer.CommitAsync();
    }

    /// <summary>The message bytes of a committed message, in its queue file or its segment.</summary>
    public static byte[] ContentOf(QueueEntry entry)
    {
        using var content = QueueContent.Open(entry, QueueContent.ReadOptions());
        using var bytes = new MemoryStream();
        content.CopyTo(bytes);
        return bytes.ToArray();
    }
}
