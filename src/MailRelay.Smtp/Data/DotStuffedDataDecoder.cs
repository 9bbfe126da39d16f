using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Data;

/// <summary>
/// The DATA content decoder (RFC 5321 §4.1.1.4, §4.5.2): removes the dot-stuffing and finds the end
/// of data, carrying its state across arbitrary chunk boundaries. Only a genuine CRLF "." CRLF ends the
/// data (the start of the data counts as following a CRLF); a bare LF or bare CR never takes part in an
/// end sequence, which is what makes SMTP smuggling impossible. Content is reported as runs of the
/// input, so it can be passed on without copying.
/// </summary>
public sealed class DotStuffedDataDecoder
{
    private readonly BareNewlinePolicy policy;
    private State state = State.LineStart;

    // Whether the current line start follows a genuine CRLF (rather than a normalised bare LF).
    private bool genuineLineStart = true;

    public DotStuffedDataDecoder(BareNewlinePolicy policy)
    {
        this.policy = policy;
    }

    private enum State
    {
        LineStart,
        InLine,
        AfterCr,
        AfterLineStartDot,
        AfterLineStartDotCr,
        Complete,
    }

    /// <summary>Whether the terminating CRLF.CRLF was seen.</summary>
    public bool IsComplete => state == State.Complete;

    /// <summary>A CR not followed by LF was seen; the message must be refused.</summary>
    public bool SawBareCarriageReturn { get; private set; }

    /// <summary>An LF not preceded by CR was seen (refused under Reject, stored as CRLF under Normalize).</summary>
    public bool SawBareLineFeed { get; private set; }

    /// <summary>Whether the message must be refused for bare line ends under the configured policy.</summary>
    public bool RefusedForBareNewline =>
        SawBareCarriageReturn || (SawBareLineFeed && policy == BareNewlinePolicy.Reject);

    /// <summary>Decodes from the start of <paramref name="input"/> until a run of content is ready.</summary>
    public DecodeStep Next(ReadOnlySpan<byte> input)
    {
        var runStart = 0;
        var i = 0;
        while (i < input.Length && state != State.Complete)
        {
            var b = input[i];
            switch (state)
            {
                case State.LineStart:
                    if (b == (byte)'.')
                    {
                        // The leading dot is never content: it is either stuffing or the end marker.
                        if (i > runStart)
                        {
                            return new DecodeStep(i, runStart, i - runStart, false);
                        }

                        state = State.AfterLineStartDot;
                        i++;
                        runStart = i;
                        continue;
                    }

                    state = State.InLine;
                    continue;

                case State.InLine:
                    if (b == (byte)'\r')
                    {
                        state = State.AfterCr;
                    }
                    else if (b == (byte)'\n')
                    {
                        return BareLineFeed(i, runStart);
                    }

                    i++;
                    continue;

                case State.AfterCr:
                    if (b == (byte)'\n')
                    {
                        state = State.LineStart;
                        genuineLineStart = true;
                        i++;
                        continue;
                    }

                    SawBareCarriageReturn = true;
                    state = State.InLine;
                    continue;

                case State.AfterLineStartDot:
                    if (b == (byte)'\r')
                    {
                        // Held back until we know whether this is the end marker.
                        state = State.AfterLineStartDotCr;
                        i++;
                        runStart = i;
                        continue;
                    }

                    state = State.InLine;
                    continue;

                case State.AfterLineStartDotCr:
                    if (b == (byte)'\n')
                    {
                        if (genuineLineStart)
                        {
                            state = State.Complete;
                            return new DecodeStep(i + 1, runStart, 0, false);
                        }

                        // "." CRLF after a normalised bare LF is an ordinary (empty, unstuffed) line.
                        state = State.LineStart;
                        genuineLineStart = true;
                        return new DecodeStep(i + 1, runStart, 0, true);
                    }

                    SawBareCarriageReturn = true;
                    state = State.InLine;
                    continue;

                default:
                    throw new InvalidOperationException("Unreachable decoder state.");
            }
        }

        return new DecodeStep(i, runStart, i - runStart, false);
    }

    private DecodeStep BareLineFeed(int index, int runStart)
    {
        SawBareLineFeed = true;
        state = State.LineStart;
        genuineLineStart = false;
        return new DecodeStep(index + 1, runStart, index - runStart, true);
    }
}
