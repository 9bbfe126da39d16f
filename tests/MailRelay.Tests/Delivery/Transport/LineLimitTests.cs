using System.Text;
using MailRelay.Delivery.Transport;
using MimeKit;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class LineLimitTests
{
    [Theory]
    [InlineData(998, false)]
    [InlineData(999, true)]
    public void A_line_is_too_long_past_998_octets_before_its_CRLF(int length, bool tooLong)
    {
        var content = Encoding.ASCII.GetBytes("Subject: hi\r\n\r\n" + new string('x', length) + "\r\nshort\r\n");

        Assert.Equal(tooLong, LineLimit.HasLongLine(content));
    }

    [Theory]
    [InlineData(998, false)]
    [InlineData(999, true)]
    public async Task The_stream_scan_counts_lines_across_reads_of_any_size(int length, bool tooLong)
    {
        var content = Encoding.ASCII.GetBytes("Subject: hi\r\n\r\n" + new string('x', length) + "\r\nshort\r\n");
        foreach (var chunk in new[] { 1, 2, 7, 999, 1000, 1001 })
        {
            Assert.Equal(tooLong, await LineLimit.HasLongLineAsync(new TrickleStream(content, chunk), CancellationToken.None));
        }
    }

    [Theory]
    [InlineData(997, false)]
    [InlineData(998, true)]
    public async Task A_line_starting_with_a_dot_counts_the_dot_it_gains_on_the_wire(int length, bool tooLong)
    {
        var content = Encoding.ASCII.GetBytes("Subject: hi\r\n\r\n." + new string('x', length - 1) + "\r\nshort\r\n");
        foreach (var chunk in new[] { 1, 2, 7, 999, 1000, 1001 })
        {
            Assert.Equal(tooLong, await LineLimit.HasLongLineAsync(new TrickleStream(content, chunk), CancellationToken.None));
        }

        Assert.Equal(tooLong, LineLimit.HasLongLine(content));
    }

    [Fact]
    public void A_broken_dot_line_fits_after_dot_stuffing()
    {
        var content = Encoding.ASCII.GetBytes("." + new string('x', 1500) + "\r\n");

        var lines = Encoding.ASCII.GetString(LineLimit.BreakLongLines(content)).Split("\r\n");

        Assert.Equal(997, lines[0].Length);
        Assert.All(lines, l => Assert.True((l.StartsWith('.') ? l.Length + 1 : l.Length) <= 998, $"{l.Length} octets on the wire"));
        Assert.Equal("." + new string('x', 1500), string.Concat(lines.Select((l, i) => i == 0 ? l : l.TrimStart(' '))));
    }

    [Fact]
    public void Lines_that_fit_are_copied_unchanged()
    {
        var content = Encoding.ASCII.GetBytes("Subject: hi\r\n\r\n" + new string('x', 998) + "\r\n\r\nend");

        Assert.Equal(content, LineLimit.BreakLongLines(content));
    }

    [Fact]
    public void An_over_long_header_line_is_folded_at_white_space_and_unfolds_to_the_same_value()
    {
        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => "word" + i));
        var content = Encoding.ASCII.GetBytes("Subject: " + words + "\r\nTo: a@example.net\r\n\r\nbody\r\n");

        var broken = LineLimit.BreakLongLines(content);

        Assert.False(LineLimit.HasLongLine(broken));
        var message = MimeMessage.Load(new MemoryStream(broken));
        Assert.Equal(words, message.Subject);
        Assert.Equal("a@example.net", message.To.Mailboxes.Single().Address);
    }

    [Fact]
    public void A_line_without_white_space_is_broken_with_CRLF_SPACE_as_Postfix_does()
    {
        var base64 = Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray());
        var content = Encoding.ASCII.GetBytes(base64 + "\r\n");

        var broken = Encoding.ASCII.GetString(LineLimit.BreakLongLines(content));

        var lines = broken.Split("\r\n");
        Assert.All(lines, line => Assert.True(line.Length <= LineLimit.MaxLineLength, $"a line of {line.Length} octets"));
        Assert.Equal(998, lines[0].Length);
        Assert.StartsWith(" ", lines[1], StringComparison.Ordinal);
        Assert.Equal(base64, broken.Replace("\r\n ", string.Empty, StringComparison.Ordinal).TrimEnd('\r', '\n'));
    }

    /// <summary>Returns at most <paramref name="chunk"/> bytes per read.</summary>
    private sealed class TrickleStream(byte[] content, int chunk) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
