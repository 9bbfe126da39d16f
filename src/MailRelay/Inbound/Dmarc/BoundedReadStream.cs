namespace MailRelay.Inbound.Dmarc;

/// <summary>Reads through another stream and fails once more than a bound has come out of it (a decompression bomb).</summary>
internal sealed class BoundedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private long _read;

    public BoundedReadStream(Stream inner, long limit)
    {
        _inner = inner;
        _limit = limit;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Ask for one byte more than is left, so a stream of exactly the limit ends cleanly and one beyond it fails.
        var window = (int)Math.Min(buffer.Length, _limit - _read + 1);
        var read = _inner.Read(buffer[..Math.Max(window, 1)]);
        _read += read;
        if (_read > _limit)
        {
            throw new DmarcReportException($"more than {_limit} bytes uncompressed");
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
