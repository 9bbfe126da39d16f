using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Data;

/// <summary>
/// The BDAT content filter (RFC 3030): no dot processing, but the same bare CR / bare LF rule as
/// DATA, with the CR state carried across chunk and BDAT boundaries.
/// </summary>
public sealed class ChunkContentFilter
{
    private readonly BareNewlinePolicy policy;
    private bool afterCr;

    public ChunkContentFilter(BareNewlinePolicy policy)
    {
        this.policy = policy;
    }

    public bool SawBareCarriageReturn { get; private set; }

    public bool SawBareLineFeed { get; private set; }

    public bool RefusedForBareNewline =>
        SawBareCarriageReturn || (SawBareLineFeed && policy == BareNewlinePolicy.Reject);

    public DecodeStep Next(ReadOnlySpan<byte> input)
    {
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (afterCr)
            {
                afterCr = false;
                if (b == (byte)'\n')
                {
                    continue;
                }

                SawBareCarriageReturn = true;
            }

            if (b == (byte)'\r')
            {
                afterCr = true;
            }
            else if (b == (byte)'\n')
            {
                SawBareLineFeed = true;
                return new DecodeStep(i + 1, 0, i, true);
            }
        }

        return new DecodeStep(input.Length, 0, input.Length, false);
    }

    /// <summary>The message ended: a CR as its very last octet is a bare CR.</summary>
    public void Finish()
    {
        if (afterCr)
        {
            SawBareCarriageReturn = true;
            afterCr = false;
        }
    }
}
