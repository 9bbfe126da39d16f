using System.Buffers;
using System.Text;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

public class ProxyHeaderParserTests
{
    private static readonly byte[] FollowingSmtp = Encoding.ASCII.GetBytes("EHLO client.example\r\nMAIL FROM:<a@b>\r\n");

    public static TheoryData<string> ValidNames => [.. ProxyHeaderSamples.Valid.Keys];

    public static TheoryData<string> MalformedNames => [.. ProxyHeaderSamples.Malformed.Keys];

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Valid_header_parses_to_its_fields_and_length(string name)
    {
        var (bytes, expected) = ProxyHeaderSamples.Valid[name];

        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ProxyParseStatus.Header, result.Status);
        Assert.Equal(expected, result.Header);
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Bytes_after_the_header_are_not_part_of_it(string name)
    {
        var (bytes, expected) = ProxyHeaderSamples.Valid[name];
        var withData = ProxyHeaders.Concat(bytes, FollowingSmtp);

        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(withData));

        Assert.True(result.IsHeader, result.ToString());
        Assert.Equal(bytes.Length, result.Header.Length);
        Assert.Equal(expected, result.Header);
        Assert.Equal(FollowingSmtp, withData[result.Header.Length..]);
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Every_proper_prefix_of_a_valid_header_is_incomplete(string name)
    {
        var (bytes, _) = ProxyHeaderSamples.Valid[name];

        for (var length = 0; length < bytes.Length; length++)
        {
            var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(result.Status == ProxyParseStatus.Incomplete, $"prefix of {length} bytes gave {result}");
        }
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Valid_header_gives_the_same_result_however_it_is_chunked(string name)
    {
        var (bytes, expected) = ProxyHeaderSamples.Valid[name];
        var withData = ProxyHeaders.Concat(bytes, FollowingSmtp);
        var whole = ProxyParseResult.Parsed(expected);

        foreach (var (description, sequence) in Chunkings(withData))
        {
            var result = ProxyHeaderParser.Parse(sequence);
            Assert.True(whole == result, $"{description}: {result}");
        }
    }

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Malformed_header_is_invalid(string name)
    {
        var bytes = ProxyHeaderSamples.Malformed[name];

        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ProxyParseStatus.Invalid, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Reason));
        Assert.Null(result.Header);
    }

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Malformed_header_is_invalid_however_it_is_chunked(string name)
    {
        var bytes = ProxyHeaderSamples.Malformed[name];
        var whole = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ProxyParseStatus.Invalid, whole.Status);

        foreach (var (description, sequence) in Chunkings(bytes))
        {
            var result = ProxyHeaderParser.Parse(sequence);
            Assert.True(result.Status == ProxyParseStatus.Invalid, $"{description}: {result}");
            Assert.True(whole == result, $"{description}: {result}, expected {whole}");
        }
    }

    [Fact]
    public void Empty_input_is_incomplete()
    {
        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(ReadOnlySequence<byte>.Empty).Status);
    }

    [Fact]
    public void V1_line_that_is_still_short_of_the_limit_waits_for_more()
    {
        var partial = ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 90));

        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(partial)).Status);
    }

    [Fact]
    public void V1_without_CRLF_is_refused_once_107_bytes_have_arrived()
    {
        var line = ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 200));

        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(line, 0, 106)).Status);
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(line, 0, 107)).Status);
    }

    [Fact]
    public void V2_length_beyond_the_bound_is_refused_before_the_body_arrives()
    {
        var header = ProxyHeaders.V2(0x21, 0x11, new byte[12], declaredLength: ProxyHeaderParser.MaxV2PayloadLength + 1);

        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(header, 0, ProxyHeaderParser.V2FixedLength));

        Assert.Equal(ProxyParseStatus.Invalid, result.Status);
    }

    [Fact]
    public void Garbage_is_refused_from_its_first_byte()
    {
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>("E"u8.ToArray())).Status);
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>("PROXI"u8.ToArray())).Status);
    }

    private static IEnumerable<(string Description, ReadOnlySequence<byte> Sequence)> Chunkings(byte[] bytes)
    {
        yield return ("contiguous", new ReadOnlySequence<byte>(bytes));
        yield return ("byte by byte", ChunkedSequence.ByteByByte(bytes));
        for (var split = 0; split <= bytes.Length; split++)
        {
            yield return ($"split at {split}", ChunkedSequence.SplitAt(bytes, split));
        }

        for (var split = 1; split + 3 < bytes.Length; split += 7)
        {
            yield return ($"three segments at {split} and {split + 3}", ChunkedSequence.SplitAt(bytes, split, split + 3));
        }
    }
}
