using System.Buffers;
using System.Text;
using MimeKit;

namespace MailRelay.Policy;

/// <summary>
/// Watches the header section of a message as it streams into the spool: removes the fields named in
/// OUTBOUND_STRIP_HEADERS and keeps the text of the <c>From:</c> fields for SENDER_CHECK_FROM_HEADER. State is a
/// field name (at most <see cref="MaxNameLength"/> bytes) and the From text (at most <see cref="MaxFromLength"/>
/// bytes), so memory stays bounded however long a header line is; everything after the header section is copied
/// through untouched. Input is what the engine hands over: dot-unstuffed, with CRLF line ends.
/// </summary>
public sealed class HeaderSectionFilter
{
    /// <summary>RFC 5322 lines are at most 998 octets; a longer "name" is not a header field.</summary>
    public const int MaxNameLength = 998;

    /// <summary>A From: field longer than this is not checked but refused (it is no honest From:).</summary>
    public const int MaxFromLength = 8192;

    private readonly IReadOnlySet<string> _strip;
    private readonly bool _captureFrom;
    private readonly byte[] _name = new byte[MaxNameLength];
    private readonly byte[] _from = new byte[MaxFromLength];
    private readonly List<string> _fromFields = [];
    private int _nameLength;
    private int _fromLength;
    private bool _fromTooLong;
    private bool _dropping;
    private bool _capturing;
    private State _state = State.LineStart;

    public HeaderSectionFilter(IReadOnlySet<string> stripHeaders, bool captureFrom)
    {
        _strip = stripHeaders;
        _captureFrom = captureFrom;
    }

    private enum State
    {
        LineStart,
        Name,
        Value,
        EmptyLine,
        Body,
    }

    /// <summary>The raw (unfolded, UTF-8 decoded) text of each From: field seen, once <see cref="Finish"/> ran.</summary>
    public IReadOnlyList<string> FromFields => _fromFields;

    /// <summary>Whether the header section is over, so the rest can be copied without looking.</summary>
    public bool PassesThrough => _state == State.Body;

    /// <summary>Whether a From: field was longer than <see cref="MaxFromLength"/>.</summary>
    public bool FromTooLong => _fromTooLong;

    /// <summary>Filters one chunk into <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var i = 0;
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.Body:
                    output.Write(input[i..]);
                    return;
                case State.Value:
                    i += CopyValue(input[i..], output);
                    break;
                case State.LineStart:
                    StartLine(input[i], output);
                    i++;
                    break;
                case State.Name:
                    AddNameByte(input[i], output);
                    i++;
                    break;
                case State.EmptyLine:
                    // The CR of the empty line was written; whatever follows (its LF) begins the body.
                    _state = State.Body;
                    break;
            }
        }
    }

    /// <summary>The content ended: writes out a pending partial name and closes the last field.</summary>
    public void Finish(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_state == State.Name)
        {
            output.Write(_name.AsSpan(0, _nameLength));
            _nameLength = 0;
        }

        EndField();
        _state = State.Body;
    }

    /// <summary>The addresses of every mailbox in the From: fields; false when one does not parse or is too long.</summary>
    public bool TryGetFromAddresses(out IReadOnlyList<string> addresses)
    {
        var found = new List<string>();
        addresses = found;
        if (_fromTooLong)
        {
            return false;
        }

        foreach (var field in _fromFields)
        {
            if (!InternetAddressList.TryParse(ParserOptions.Default, field, out var list) || !list.Mailboxes.Any())
            {
                return false;
            }

            found.AddRange(list.Mailboxes.Select(m => m.Address));
        }

        return true;
    }

    private void StartLine(byte b, IBufferWriter<byte> output)
    {
        if (b is (byte)' ' or (byte)'\t')
        {
            // A folded continuation of the field before.
            _state = State.Value;
            Emit(b, output);
            return;
        }

        EndField();
        if (b == (byte)'\r')
        {
            output.Write([b]);
            _state = State.EmptyLine;
            return;
        }

        _state = State.Name;
        AddNameByte(b, output);
    }

    private void AddNameByte(byte b, IBufferWriter<byte> output)
    {
        if (b == (byte)':' && _nameLength > 0)
        {
            var name = Encoding.ASCII.GetString(_name, 0, _nameLength).TrimEnd(' ', '\t');
            _dropping = _strip.Contains(name);
            _capturing = _captureFrom && string.Equals(name, "From", StringComparison.OrdinalIgnoreCase);
            if (_capturing)
            {
                _fromLength = 0;
            }

            if (!_dropping)
            {
                output.Write(_name.AsSpan(0, _nameLength));
                output.Write([b]);
            }

            _nameLength = 0;
            _state = State.Value;
            return;
        }

        if (b is > 32 and < 127 or (byte)' ' or (byte)'\t' && _nameLength < MaxNameLength)
        {
            _name[_nameLength++] = b;
            return;
        }

        // Not a header field: the header section has ended without an empty line; the rest is body.
        output.Write(_name.AsSpan(0, _nameLength));
        output.Write([b]);
        _nameLength = 0;
        _state = State.Body;
    }

    private int CopyValue(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var newline = input.IndexOf((byte)'\n');
        var run = newline < 0 ? input : input[..(newline + 1)];
        if (!_dropping)
        {
            output.Write(run);
        }

        if (_capturing)
        {
            var room = MaxFromLength - _fromLength;
            if (run.Length > room)
            {
                _fromTooLong = true;
            }

            run[..Math.Min(room, run.Length)].CopyTo(_from.AsSpan(_fromLength));
            _fromLength += Math.Min(room, run.Length);
        }

        if (newline >= 0)
        {
            _state = State.LineStart;
        }

        return run.Length;
    }

    private void Emit(byte b, IBufferWriter<byte> output)
    {
        if (!_dropping)
        {
            output.Write([b]);
        }

        if (_capturing)
        {
            if (_fromLength < MaxFromLength)
            {
                _from[_fromLength++] = b;
            }
            else
            {
                _fromTooLong = true;
            }
        }
    }

    private void EndField()
    {
        if (_capturing)
        {
            _fromFields.Add(Encoding.UTF8.GetString(_from, 0, _fromLength).Replace("\r\n", string.Empty, StringComparison.Ordinal));
            _capturing = false;
        }

        _dropping = false;
    }
}
