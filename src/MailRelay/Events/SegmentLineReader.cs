namespace MailRelay.Events;

/// <summary>
/// Reads the complete lines (ending in LF) of a segment from an offset, in chunks; a last line without its LF (being
/// written, or torn by a crash) is not returned.
/// </summary>
internal sealed class SegmentLineReader
{
    private const int ChunkSize = 64 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[ChunkSize];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;

    public SegmentLineReader(Stream stream, long offset)
    {
        _stream = stream;
        stream.Position = offset;
        _bufferOffset = offset;
    }

    /// <summary>The next line without its LF, and the file offset just past its LF; null at the end.</summary>
    public (ReadOnlyMemory<byte> Bytes, long End)? Next()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                return (line, _bufferOffset + _start);
            }

            if (_eof)
            {
                return null;
            }

            Fill();
        }
    }

    private void Fill()
    {
        // Keeps the unfinished line at the front, growing the buffer for a line longer than it.
        var kept = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
            _bufferOffset += _start;
            _start = 0;
            _end = kept;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
