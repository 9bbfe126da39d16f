using System.Text;
using MailRelay.Smtp.Session;
using static MailRelay.Smtp.Tests.Data.DecoderHarness;

namespace MailRelay.Smtp.Tests.Data;

public class DotStuffedDataDecoderTests
{
    public static TheoryData<string, BareNewlinePolicy> SplitInputs => new()
    {
        { "Subject: x\r\n\r\nbody\r\n.\r\n", BareNewlinePolicy.Reject },
        { "..leading dot\r\n...two\r\nmid.dle\r\n.\r\nMAIL FROM:<x@y>\r\n", BareNewlinePolicy.Reject },
        { ".\r\n", BareNewlinePolicy.Reject },
        { "a\r\n..\r\n.\r\n", BareNewlinePolicy.Reject },
        { "bare\nlf\r\n.\nx\r\n.\r\n", BareNewlinePolicy.Normalize },
        { "bare\rcr\r\n\r\n.\r\n", BareNewlinePolicy.Normalize },
        { "x\n.\n\r\n.\r\nRSET\r\n", BareNewlinePolicy.Normalize },
        { "x\r\n.\rMAIL\r\n.\r\n", BareNewlinePolicy.Reject },
        { "\r\r\n\n.\r\n\r\n.\r\n", BareNewlinePolicy.Normalize },
    };

    [Theory]
    [MemberData(nameof(SplitInputs))]
    public void Every_two_way_split_and_byte_by_byte_gives_the_same_result(string input, BareNewlinePolicy policy)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var whole = Decode(bytes, [], policy);
        Assert.True(whole.Complete);

        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(whole.Signature, Decode(bytes, [cut], policy).Signature);
        }

        for (var first = 1; first < bytes.Length; first++)
        {
            for (var second = first; second < bytes.Length; second++)
            {
                Assert.Equal(whole.Signature, Decode(bytes, [first, second], policy).Signature);
            }
        }

        Assert.Equal(whole.Signature, Decode(bytes, ByteByByte(bytes.Length), policy).Signature);
    }

    [Fact]
    public void Dot_stuffing_is_removed_on_every_line_including_the_first()
    {
        var outcome = DecodeWhole("..first\r\nsecond\r\n..third\r\n...\r\n.\r\n");

        Assert.Equal(".first\r\nsecond\r\n.third\r\n..\r\n", outcome.Text);
        Assert.True(outcome.Complete);
    }

    [Fact]
    public void A_dot_alone_right_after_DATA_is_an_empty_message()
    {
        var outcome = DecodeWhole(".\r\nQUIT\r\n");

        Assert.True(outcome.Complete);
        Assert.Empty(outcome.Output);
        Assert.Equal(3, outcome.Consumed);
    }

    [Fact]
    public void The_end_marker_stops_consumption_so_pipelined_commands_remain()
    {
        var outcome = DecodeWhole("hello\r\n.\r\nQUIT\r\n");

        Assert.Equal("hello\r\n", outcome.Text);
        Assert.Equal(10, outcome.Consumed);
    }

    [Fact]
    public void Incomplete_data_is_not_complete()
    {
        Assert.False(DecodeWhole("hello\r\n.").Complete);
        Assert.False(DecodeWhole("hello\r\n.\r").Complete);
        Assert.False(DecodeWhole("hello\r\n").Complete);
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1024 * 1024)]
    public void Lines_longer_than_1000_octets_are_passed_through(int length)
    {
        var line = new string('x', length);
        var bytes = Encoding.ASCII.GetBytes("." + line + "\r\n.\r\n");

        var outcome = Decode(bytes, Enumerable.Range(1, bytes.Length / 4096).Select(i => i * 4096 - 7));

        Assert.True(outcome.Complete);
        Assert.Equal(line + "\r\n", outcome.Text);
    }

    [Theory]
    [InlineData("a\nb\r\n.\r\n", BareNewlinePolicy.Normalize, "a\r\nb\r\n", false, true, false)]
    [InlineData("a\nb\r\n.\r\n", BareNewlinePolicy.Reject, "a\r\nb\r\n", false, true, true)]
    [InlineData("a\n.b\r\n.\r\n", BareNewlinePolicy.Normalize, "a\r\nb\r\n", false, true, false)]
    [InlineData("a\rb\r\n.\r\n", BareNewlinePolicy.Normalize, "a\rb\r\n", true, false, true)]
    [InlineData("a\rb\r\n.\r\n", BareNewlinePolicy.Reject, "a\rb\r\n", true, false, true)]
    [InlineData("a\r\n\r\n.\r\n", BareNewlinePolicy.Reject, "a\r\n\r\n", false, false, false)]
    public void Bare_line_ends_follow_the_policy(string input, BareNewlinePolicy policy, string expected, bool bareCr, bool bareLf, bool refused)
    {
        var outcome = DecodeWhole(input, policy);

        Assert.True(outcome.Complete);
        Assert.Equal((expected, bareCr, bareLf, refused), (outcome.Text, outcome.BareCr, outcome.BareLf, outcome.Refused));
    }

    [Theory]
    [InlineData("a\n.\nMAIL FROM:<x@y>\n")]
    [InlineData("a\n.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r.\rMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\rMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n\0.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n .\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\0\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n. \r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\n\n.\n\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\r\n.\r\r\nMAIL FROM:<x@y>\r\n")]
    public void Smuggling_end_sequences_never_end_the_data(string input)
    {
        foreach (var policy in new[] { BareNewlinePolicy.Reject, BareNewlinePolicy.Normalize })
        {
            var bytes = Encoding.ASCII.GetBytes(input);
            Assert.False(Decode(bytes, [], policy).Complete);
            Assert.False(Decode(bytes, ByteByByte(bytes.Length), policy).Complete);
        }
    }
}
