using System.Text;
using MailRelay.Smtp.Data;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Data;

/// <summary>Runs the DATA decoder over an input cut into given chunks, as the session does per pipe segment.</summary>
public static class DecoderHarness
{
    public static DecodeOutcome Decode(byte[] input, IEnumerable<int> cuts, BareNewlinePolicy policy = BareNewlinePolicy.Reject)
    {
        var decoder = new DotStuffedDataDecoder(policy);
        var output = new MemoryStream();
        var consumed = 0;
        var start = 0;
        foreach (var end in cuts.Append(input.Length))
        {
            var chunk = input.AsSpan(start, end - start);
            var offset = 0;
            while (offset < chunk.Length && !decoder.IsComplete)
            {
                var step = decoder.Next(chunk[offset..]);
                Assert.True(step.Consumed > 0 || decoder.IsComplete, "the decoder must make progress");
                output.Write(chunk.Slice(offset + step.EmitStart, step.EmitLength));
                if (step.AppendLineBreak)
                {
                    output.Write("\r\n"u8);
                }

                offset += step.Consumed;
            }

            consumed += offset;
            if (decoder.IsComplete)
            {
                break;
            }

            start = end;
        }

        return new DecodeOutcome(output.ToArray(), consumed, decoder.IsComplete, decoder.SawBareCarriageReturn, decoder.SawBareLineFeed, decoder.RefusedForBareNewline);
    }

    public static DecodeOutcome Decode(string input, IEnumerable<int> cuts, BareNewlinePolicy policy = BareNewlinePolicy.Reject) =>
        Decode(Encoding.UTF8.GetBytes(input), cuts, policy);

    public static DecodeOutcome DecodeWhole(string input, BareNewlinePolicy policy = BareNewlinePolicy.Reject) => Decode(input, [], policy);

    public static IEnumerable<int> ByteByByte(int length) => Enumerable.Range(1, Math.Max(0, length - 1));
}
