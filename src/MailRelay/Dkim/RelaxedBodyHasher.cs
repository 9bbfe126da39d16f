using System.Buffers;
using System.Security.Cryptography;

namespace MailRelay.Dkim;

/// <summary>
/// SHA-256 of a body under the "relaxed" body canonicalization of RFC 6376 §3.4.4, fed in chunks so a
/// 25 MB body streams through a few kilobytes: runs of SP/HTAB become one SP, whitespace at line ends goes,
/// empty lines at the end go, and a non-empty body ends with exactly one CRLF.
/// </summary>
internal sealed class RelaxedBodyHasher : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _output = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _outputLength;
    private long _pendingLineBreaks;
    private bool _pendingSpace;
    private bool _pendingCr;
    private bool _anyContent;

    public void Append(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (b == (byte)'\n')
                {
                    // Whitespace before a line break is dropped; the break waits until content follows it.
                    _pendingSpace = false;
                    _pendingLineBreaks++;
                    continue;
                }

                Content((byte)'\r');
            }

            switch (b)
            {
                case (byte)'\r':
                    _pendingCr = true;
                    break;
                case (byte)' ' or (byte)'\t':
                    _pendingSpace = true;
                    break;
                default:
                    Content(b);
                    break;
            }
        }
    }

    /// <summary>The body hash (bh=).</summary>
    public byte[] Finish()
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            Content((byte)'\r');
        }

        if (_anyContent)
        {
            Emit((byte)'\r');
            Emit((byte)'\n');
        }

        Flush();
        return _hash.GetHashAndReset();
    }

    public void Dispose()
    {
        _hash.Dispose();
        ArrayPool<byte>.Shared.Return(_output);
    }

    private void Content(byte b)
    {
        for (; _pendingLineBreaks > 0; _pendingLineBreaks--)
        {
            Emit((byte)'\r');
            Emit((byte)'\n');
        }

        if (_pendingSpace)
        {
            Emit((byte)' ');
            _pendingSpace = false;
        }

        Emit(b);
        _anyContent = true;
    }

    private void Emit(byte b)
    {
        if (_outputLength == _output.Length)
        {
            Flush();
        }

        _output[_outputLength++] = b;
    }

    private void Flush()
    {
        _hash.AppendData(_output, 0, _outputLength);
        _outputLength = 0;
    }
}
