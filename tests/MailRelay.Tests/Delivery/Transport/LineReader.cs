namespace MailRelay.Tests.Delivery.Transport;

/// <summary>Reads a stream line by line, each line returned with its line ending, byte for byte.</summary>
internal sealed class LineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next line including its LF, or the remaining bytes at the end of the stream, or null.</summary>
    public async Task<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    return line.Length > 0 ? line.ToArray() : null;
                }
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                line.Write(_buffer, _start, newline + 1 - _start);
                _start = newline + 1;
                return line.ToArray();
            }

            line.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
    }

    /// <summary>A DATA body up to the line holding only a dot, dot-unstuffed, line endings as sent.</summary>
    public async Task<byte[]> ReadDataAsync(CancellationToken cancellationToken)
    {
        using var data = new MemoryStream();
        while (await ReadLineAsync(cancellationToken) is { } line)
        {
            if (line is [(byte)'.', (byte)'\r', (byte)'\n'])
            {
                return data.ToArray();
            }

            var start = line.Length > 0 && line[0] == (byte)'.' ? 1 : 0;
            data.Write(line, start, line.Length - start);
        }

        throw new IOException("The client closed the connection inside DATA.");
    }
}
