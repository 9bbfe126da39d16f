using System.Text;
using MailRelay.Smtp.Data;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Data;

public class ChunkContentFilterTests
{
    [Theory]
    [InlineData("a\r\nb\r\n", BareNewlinePolicy.Reject, "a\r\nb\r\n", false)]
    [InlineData("a\nb\r\n", BareNewlinePolicy.Normalize, "a\r\nb\r\n", false)]
    [InlineData("a\nb\r\n", BareNewlinePolicy.Reject, "a\r\nb\r\n", true)]
    [InlineData("a\rb\r\n", BareNewlinePolicy.Normalize, "a\rb\r\n", true)]
    [InlineData("a\r\n.\r\n", BareNewlinePolicy.Reject, "a\r\n.\r\n", false)]
    [InlineData("ends in cr\r", BareNewlinePolicy.Normalize, "ends in cr\r", true)]
    public void Every_split_gives_the_same_content_and_verdict(string input, BareNewlinePolicy policy, string expected, bool refused)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var filter = new ChunkContentFilter(policy);
            var output = new MemoryStream();
            Run(filter, bytes.AsSpan(0, cut), output);
            Run(filter, bytes.AsSpan(cut), output);
            filter.Finish();

            Assert.Equal(expected, Encoding.ASCII.GetString(output.ToArray()));
            Assert.Equal(refused, filter.RefusedForBareNewline);
        }
    }

    private static void Run(ChunkContentFilter filter, ReadOnlySpan<byte> input, MemoryStream output)
    {
        var offset = 0;
        while (offset < input.Length)
        {
            var step = filter.Next(input[offset..]);
            output.Write(input.Slice(offset + step.EmitStart, step.EmitLength));
            if (step.AppendLineBreak)
            {
                output.Write("\r\n"u8);
            }

            offset += step.Consumed;
        }
    }
}
