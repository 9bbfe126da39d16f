using System.Buffers;
using System.Text;
using MailRelay.Policy;

namespace MailRelay.Tests.Policy;

public class HeaderSectionFilterTests
{
    private const string Message =
        "From: \"Billing\" <billing@ours.example>\r\n"
        + "X-Mailer: ACME Mailer 1.0\r\n"
        + "X-Originating-IP: [10.1.2.3]\r\n"
        + "\tfolded part of it\r\n"
        + "Subject: hello\r\n"
        + "x-mailer: lower case too\r\n"
        + "\r\n"
        + "X-Mailer: this is body text, not a header\r\n"
        + "From: neither is this\r\n";

    private const string Stripped =
        "From: \"Billing\" <billing@ours.example>\r\n"
        + "Subject: hello\r\n"
        + "\r\n"
        + "X-Mailer: this is body text, not a header\r\n"
        + "From: neither is this\r\n";

    public static TheoryData<int> ChunkSizes => new() { 1, 2, 3, 7, 64, 100_000 };

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Named_fields_and_their_continuations_are_removed_whatever_the_chunking(int chunkSize)
    {
        var (output, filter) = Run(Message, chunkSize, ["X-Mailer", "X-Originating-IP"], captureFrom: true);

        Assert.Equal(Stripped, output);
        Assert.True(filter.TryGetFromAddresses(out var from));
        Assert.Equal(["billing@ours.example"], from);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Without_names_to_strip_the_content_is_unchanged(int chunkSize)
    {
        var (output, _) = Run(Message, chunkSize, [], captureFrom: true);

        Assert.Equal(Message, output);
    }

    [Fact]
    public void A_folded_from_with_several_mailboxes_and_an_encoded_name_is_read()
    {
        var (_, filter) = Run(
            "From: =?UTF-8?Q?J=C3=BCrgen?= <j@ours.example>,\r\n mary@sub.ours.example\r\nTo: x@y.example\r\n\r\nbody\r\n",
            5,
            [],
            captureFrom: true);

        Assert.True(filter.TryGetFromAddresses(out var from));
        Assert.Equal(["j@ours.example", "mary@sub.ours.example"], from);
    }

    [Fact]
    public void No_from_field_gives_no_addresses_and_garbage_does_not_parse()
    {
        var (_, none) = Run("Subject: x\r\n\r\nbody\r\n", 4, [], captureFrom: true);
        Assert.True(none.TryGetFromAddresses(out var from));
        Assert.Empty(from);

        var (_, garbage) = Run("From: <<<\r\n\r\nbody\r\n", 4, [], captureFrom: true);
        Assert.False(garbage.TryGetFromAddresses(out _));
    }

    [Fact]
    public void A_from_field_beyond_the_bound_is_not_kept_whole()
    {
        var huge = "From: a@ours.example" + new string(' ', HeaderSectionFilter.MaxFromLength) + "\r\n\r\nbody\r\n";

        var (output, filter) = Run(huge, 1000, [], captureFrom: true);

        Assert.Equal(huge, output);
        Assert.True(filter.FromTooLong);
        Assert.False(filter.TryGetFromAddresses(out _));
    }

    [Fact]
    public void A_line_that_is_no_header_field_ends_the_header_section()
    {
        const string text = "Subject: a\r\nthis line has no colon\r\nX-Mailer: kept, it is body now\r\n";

        var (output, filter) = Run(text, 3, ["X-Mailer"], captureFrom: false);

        Assert.Equal(text, output);
        Assert.True(filter.PassesThrough);
    }

    [Fact]
    public void An_overlong_name_is_passed_through_as_body()
    {
        var text = new string('X', HeaderSectionFilter.MaxNameLength + 10) + ": v\r\nX-Mailer: body\r\n";

        var (output, _) = Run(text, 50, ["X-Mailer"], captureFrom: false);

        Assert.Equal(text, output);
    }

    private static (string Output, HeaderSectionFilter Filter) Run(string text, int chunkSize, string[] strip, bool captureFrom)
    {
        var filter = new HeaderSectionFilter(new HashSet<string>(strip, StringComparer.OrdinalIgnoreCase), captureFrom);
        var input = Encoding.UTF8.GetBytes(text);
        var output = new ArrayBufferWriter<byte>();
        for (var offset = 0; offset < input.Length; offset += chunkSize)
        {
            filter.Process(input.AsSpan(offset, Math.Min(chunkSize, input.Length - offset)), output);
        }

        filter.Finish(output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), filter);
    }
}
