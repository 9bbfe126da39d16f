using System.Buffers;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>Builds multi-segment sequences, the shape a socket's pipe hands over when data arrives in pieces.</summary>
internal static class ChunkedSequence
{
    public static ReadOnlySequence<byte> FromSegments(IReadOnlyList<byte[]> segments)
    {
        if (segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        for (var i = 1; i < segments.Count; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> SplitAt(byte[] data, params int[] offsets)
    {
        var segments = new List<byte[]>();
        var start = 0;
        foreach (var offset in offsets.Append(data.Length))
        {
            segments.Add(data[start..offset]);
            start = offset;
        }

        return FromSegments(segments);
    }

    public static ReadOnlySequence<byte> ByteByByte(byte[] data) =>
        FromSegments(data.Select(b => new[] { b }).ToList());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
